// Our corrections to Swagger UI's page: names for the form controls it draws without one (the
// request body's editor, the servers' list), given as they appear, so that every control is
// announced for what it is (WCAG 4.1.2; the browser suite runs axe-core on the page).
'use strict';

function nameUnnamed() {
  const name = (el, label) => {
    // A label that wraps the control holds its text too (a select's options): not a name.
    const labelled = el.labels && [...el.labels].some((l) => l.textContent.trim() !== el.textContent.trim());
    if (!el.getAttribute('aria-label') && !labelled) el.setAttribute('aria-label', label);
  };
  document.querySelectorAll('.swagger-ui textarea').forEach((el) => {
    name(el, el.closest('.body-param') ? 'Request body' : 'Value');
  });
  document.querySelectorAll('.swagger-ui select').forEach((el) => {
    name(el, el.id === 'servers' ? 'Server' : 'Choice');
  });
}

new MutationObserver(nameUnnamed).observe(document.body, { childList: true, subtree: true });
nameUnnamed();
