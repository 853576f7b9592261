// Facts the core decides and the interface shows (never copied here by hand): filled from the
// app's status as soon as it is read.
export const facts = $state({ passwordMin: 0 });
