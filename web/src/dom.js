// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so data from the API
// cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'value' && 'value' in el) el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

// Appends `children` to an element already in the page, as `h` does: nulls and `false` are
// skipped (the DOM's own `append` would show them as the text "null" and "false").
export function append(el, ...children) {
  return build(el, null, children);
}

export function svg(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

// A figure with a smaller, muted line under it (an amount in a holding's own currency, the
// split of a gain), as one element, so a phone's card keeps both beside the column's label.
// A line of several parts ("price +€23.81", "currency +€19.38") reads "a · b" and may wrap
// between them, never inside one (en-US's minus sign is a hyphen, a break opportunity).
export function withLine(text, line, testid) {
  if (!line) return text;
  const parts = (Array.isArray(line) ? line : [line]).flatMap((part, i) => [i ? ' · ' : null, h('span', { class: 'nobreak' }, part)]);
  return h('span', { class: 'figure' }, text, h('span', { class: 'figure-line', 'data-testid': testid }, parts));
}

let uid = 0;
const uniqueId = (prefix) => `${prefix}-${++uid}`;

function labelled(control, id, label, hint) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

// A labelled input with a hint and a slot for the API's messages about it. `id` is for a
// control that must be found again after the page is drawn anew (focus kept on a filter).
export function field({ name, label, type = 'text', value, hint, prefix = 'f', id = uniqueId(`${prefix}-${name}`), ...attrs }) {
  const input = h('input', {
    id,
    name,
    type,
    value,
    'aria-describedby': hint ? `${id}-hint` : null,
    ...attrs,
  });
  return labelled(input, id, label, hint);
}

// The same for a choice among `options` ([value, text] pairs).
export function selectField({ name, label, options, value, hint, prefix = 'f', id = uniqueId(`${prefix}-${name}`), ...attrs }) {
  const select = h(
    'select',
    { id, name, 'aria-describedby': hint ? `${id}-hint` : null, ...attrs },
    options.map(([optionValue, text]) => h('option', { value: optionValue, selected: String(optionValue) === String(value ?? '') }, text)),
  );
  return labelled(select, id, label, hint);
}

// Shows an ApiError on a form: each field's messages under its input, everything else
// (detail, non_field_errors, unknown fields, fields not shown) in the form's alert. Focuses the
// first problem in page order (the API's order of fields is not the reader's).
export function showErrors(form, error) {
  clearErrors(form);
  const fields = error?.fields ?? {};
  const general = [];
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    const slot = input instanceof HTMLElement && !input.disabled ? form.querySelector(`#${CSS.escape(input.id)}-error`) : null;
    if (!slot) {
      general.push(...messages.map((m) => (name === 'non_field_errors' ? m : `${name}: ${m}`)));
      continue;
    }
    slot.textContent = messages.join(' ');
    slot.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
  }
  const first = [...form.elements].find((element) => element.getAttribute('aria-invalid') === 'true');
  if (!Object.keys(fields).length) general.push(error?.message ?? String(error));
  const alert = form.querySelector('.form-error');
  if (alert && general.length) {
    alert.textContent = general.join(' ');
    alert.hidden = false;
  }
  (first ?? alert)?.focus();
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  const alert = form.querySelector('.form-error');
  if (alert) {
    alert.textContent = '';
    alert.hidden = true;
  }
}

export const formError = () => h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });

// Runs `work` with the button disabled and relabelled; a second click meanwhile does nothing.
export async function whilePending(button, busyLabel, work) {
  if (button.dataset.pending) return undefined;
  const label = button.textContent;
  button.dataset.pending = 'true';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (busyLabel) button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    delete button.dataset.pending;
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (busyLabel) button.textContent = label;
  }
}

// A form whose submit runs `work(values)` once at a time, showing the API's errors inline.
export function onSubmit(form, busyLabel, work) {
  form.noValidate = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (!button || button.dataset.pending) return;
    const values = Object.fromEntries(new FormData(form).entries());
    whilePending(button, busyLabel, async () => {
      clearErrors(form);
      try {
        await work(values);
      } catch (error) {
        if (error?.name === 'AbortError') return;
        if (error?.code === 'session_expired') return;
        showErrors(form, error);
      }
    });
  });
  return form;
}

// Loading, error-with-retry and done states of an area filled from the API.
export async function loadInto(container, { label, load, render, signal }) {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(h('p', { class: 'loading', role: 'status' }, `Loading ${label}…`));
  try {
    const data = await load();
    if (signal?.aborted) return;
    container.replaceChildren();
    render(data);
  } catch (error) {
    if (error?.name === 'AbortError' || signal?.aborted || error?.code === 'session_expired') return;
    const retry = h('button', { type: 'button', class: 'secondary' }, 'Try again');
    retry.addEventListener('click', () => loadInto(container, { label, load, render, signal }));
    container.replaceChildren(
      h('div', { class: 'error-box', role: 'alert' }, h('p', null, `Could not load ${label}: ${error.message}`), retry),
    );
  } finally {
    container.removeAttribute('aria-busy');
  }
}
