import { mount } from "svelte";
import { api } from "./api";
import App from "./App.svelte";
import StoreProblem from "./lib/StoreProblem.svelte";
import "./app.css";

const target = document.getElementById("app");
if (target) {
  // A store that could not be opened leaves the window only its explanation.
  api
    .startupProblem()
    .catch(() => null)
    .then((problem) => {
      if (problem) mount(StoreProblem, { target, props: { problem } });
      else mount(App, { target });
    });
}
