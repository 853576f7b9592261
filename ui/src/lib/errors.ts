import type { UiError } from "../api";
import type { Field } from "../bindings/Field";

/** Splits an error between the form's fields (by the core's field code) and a general message. */
export function placeError(error: UiError, fields: Field[]): { field: string; message: string } {
  if (error.field && fields.includes(error.field)) {
    return { field: error.field, message: error.message };
  }
  return { field: "", message: error.message };
}
