// Form fields with their labels, hints and error boxes, and the placing of the service's
// validation messages next to the field they name (shared by the surveys and the rules views).
import { ApiError } from './api.js';
import { h } from './dom.js';

/**
 * One labelled field: `{name, label, hint?, kind?: 'text'|'time'|'checkbox', options?: [[value,
 * text]], value?, checked?, required?, inputmode?, list?, errorKey?}`. `errorKey` is how the
 * service's messages name the field (default: `name`), e.g. "trigger.payload". Returns the row,
 * the control and the error box.
 */
export function formField(field, idPrefix) {
  const id = `${idPrefix}-${field.name}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  const hint = field.hint ? h('p', { class: 'hint', id: `${id}-hint` }, field.hint) : null;
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  let control;
  if (field.kind === 'checkbox') {
    control = h('input', {
      type: 'checkbox',
      id,
      name: field.name,
      checked: Boolean(field.checked),
      'aria-describedby': describedBy,
    });
    const row = h(
      'div',
      { class: 'form-row' },
      h('label', { class: 'check' }, control, ` ${field.label}`),
      hint,
      error,
    );
    return { row, control, error };
  }
  if (field.options) {
    const current = String(field.value ?? '');
    control = h(
      'select',
      { id, name: field.name, 'aria-describedby': describedBy },
      field.options.map(([value, text]) =>
        h('option', { value, selected: value === current }, text),
      ),
    );
  } else {
    control = h('input', {
      id,
      name: field.name,
      type: field.kind ?? 'text',
      value: field.value ?? '',
      required: field.required,
      inputmode: field.inputmode,
      list: field.list,
      autocomplete: 'off',
      'aria-describedby': describedBy,
    });
  }
  const row = h(
    'div',
    { class: 'form-row' },
    h('label', { for: id }, field.label),
    hint,
    control,
    error,
  );
  return { row, control, error };
}

/**
 * The fields of a form: `rows` to place, `control(name)`, and `showErrors(error)` /
 * `clearErrors()` for the service's answer. `general` is where messages naming no field go.
 */
export function formFields(fields, idPrefix) {
  const built = new Map(
    fields.map((field) => [field.name, { field, ...formField(field, idPrefix) }]),
  );
  const general = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const clearErrors = () => {
    for (const { error } of built.values()) {
      error.hidden = true;
      error.textContent = '';
    }
    general.hidden = true;
    general.textContent = '';
  };
  /**
   * Shows a 400's messages next to their fields; anything else (or a message naming no field) in
   * the general box. Returns false when the error is not the service's answer (rethrow it).
   */
  const showErrors = (error) => {
    if (!(error instanceof ApiError)) return false;
    const messages = Array.isArray(error.body?.message) ? error.body.message : [error.message];
    const unplaced = [];
    let first = null;
    for (const message of messages) {
      const target = placeOf(message, built);
      if (target) {
        target.error.textContent = target.error.hidden
          ? message
          : `${target.error.textContent}; ${message}`;
        target.error.hidden = false;
        target.control.setAttribute('aria-invalid', 'true');
        first ??= target.control;
      } else unplaced.push(message);
    }
    if (unplaced.length) {
      general.textContent = unplaced.join('; ');
      general.hidden = false;
    }
    first?.focus();
    return true;
  };
  return {
    rows: [...built.values()].map((b) => b.row),
    row: (name) => built.get(name).row,
    control: (name) => built.get(name).control,
    general,
    clearErrors: () => {
      clearErrors();
      for (const { control } of built.values()) control.removeAttribute('aria-invalid');
    },
    showErrors,
  };
}

/** The field a message names first ("title must be …"): the longest matching key wins. */
function placeOf(message, built) {
  let best = null;
  let bestLength = -1;
  for (const entry of built.values()) {
    const key = entry.field.errorKey ?? entry.field.name;
    const keys = Array.isArray(key) ? key : [key];
    for (const k of keys) {
      if ((message === k || message.startsWith(`${k} `)) && k.length > bestLength) {
        best = entry;
        bestLength = k.length;
      }
    }
  }
  return best;
}

/** A number typed in a text field as a number; anything else as typed (the service names it). */
export function numberOrText(text) {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}
