// Vite's `?raw` imports: the file's text, bundled into the app (the message catalogues).
declare module "*.ftl?raw" {
  const text: string;
  export default text;
}
