/*
 * app.js: start-up, sign-in/sign-out and switching between the login, translator and admin views.
 *
 * Flow: restore a token from sessionStorage (same tab) → GET /api/v1/whoami → translator. Without one, or when
 * any call answers 401/403, the login view is shown (with a message saying why). Sign-in trades the API key for a
 * token (POST /api/v1/auth/token) and clears the key field at once.
 */
(function () {
  'use strict';

  const el = {};
  const app = {
    whoami: null,          // {tenant_id, tenant_name, key_id, scopes}
    view: 'login'
  };

  function $(id) { return document.getElementById(id); }

  function init() {
    ['boot-message', 'login-view', 'translator-view', 'admin-view', 'main-nav', 'nav-translator', 'nav-admin',
      'session-info', 'session-tenant', 'logout-button', 'lang-select', 'login-form', 'login-tenant', 'login-key',
      'login-submit', 'login-notice', 'login-error'].forEach(function (id) { el[id] = $(id); });

    // Language: selector reflects the current choice; changing it re-translates the page.
    el['lang-select'].value = I18N.language;
    el['lang-select'].addEventListener('change', function () { I18N.setLanguage(el['lang-select'].value); });
    I18N.setLanguage(I18N.language);

    el['login-form'].addEventListener('submit', function (event) { event.preventDefault(); signIn(); });
    el['logout-button'].addEventListener('click', function () {
      API.logout();   // signs the token out on the server too (best effort)
      signOut({ key: 'login.signedOut' });
    });
    el['nav-translator'].addEventListener('click', function () { showView('translator'); });
    el['nav-admin'].addEventListener('click', function () { showView('admin'); });

    const handlers = { onAuthFailure: onAuthFailure };
    Translator.init(handlers);
    Admin.init(handlers);

    el['boot-message'].hidden = true;
    restoreSession();
  }

  // ------------------------------------------------------------------ views

  function isOperator() { return Boolean(app.whoami && app.whoami.kind === 'operator'); }
  /** Operators manage every tenant; tenant admins (scope tenant:admin) their own. */
  function isAdmin() { return isOperator() || Boolean(app.whoami && (app.whoami.scopes || []).includes('tenant:admin')); }

  function showView(name) {
    if (name === 'admin' && !isAdmin()) name = 'translator';
    if (name === 'translator' && isOperator()) name = 'admin';   // operators have no tenant to translate as
    if (name !== 'login' && !app.whoami) name = 'login';
    app.view = name;
    el['login-view'].hidden = name !== 'login';
    el['translator-view'].hidden = name !== 'translator';
    el['admin-view'].hidden = name !== 'admin';

    const signedIn = name !== 'login';
    el['main-nav'].hidden = !signedIn || !isAdmin() || isOperator();     // one view only: no tabs needed
    el['session-info'].hidden = !signedIn;
    el['logout-button'].hidden = !signedIn;
    el['nav-admin'].hidden = !isAdmin();
    setCurrent(el['nav-translator'], name === 'translator');
    setCurrent(el['nav-admin'], name === 'admin');

    if (name === 'login') {
      (el['login-tenant'].value ? el['login-key'] : el['login-tenant']).focus();
    } else if (name === 'translator') {
      $('source-text').focus();
    } else if (name === 'admin') {
      Admin.setRole(isOperator() ? { operator: true } : { tenant: app.whoami.tenant_id });
      Admin.show();
    }
  }

  function setCurrent(button, current) {
    if (current) button.setAttribute('aria-current', 'page'); else button.removeAttribute('aria-current');
  }

  // ------------------------------------------------------------------ session

  /** A token left in this tab's sessionStorage (reload) is checked with whoami; otherwise: login. */
  async function restoreSession() {
    const token = API.session.load();
    if (!token) { showView('login'); return; }
    if (API.session.isExpired()) { signOut({ key: 'login.sessionExpired' }); return; }
    await enter();
  }

  /** With a token in place: who am I → the translator. */
  async function enter() {
    try {
      app.whoami = await API.get('/api/v1/whoami');
    } catch (error) {
      if (API.isAuthFailure(error)) { onAuthFailure(error); return; }
      app.whoami = null;
      showView('login');
      showLoginError(API.describe(error));
      return;
    }
    if (isOperator()) {
      I18N.setText(el['session-tenant'], 'session.operator', { name: app.whoami.operator_name || app.whoami.operator_id });
      el['session-tenant'].title = app.whoami.operator_id || '';
      showView('admin');
      return;
    }
    el['session-tenant'].removeAttribute('data-i18n');
    el['session-tenant'].removeAttribute('data-i18n-args');
    el['session-tenant'].textContent = app.whoami.tenant_name || app.whoami.tenant_id;
    el['session-tenant'].title = app.whoami.tenant_id || '';
    showView('translator');
    Translator.start();
  }

  async function signIn() {
    hideLoginMessages();
    const tenantID = el['login-tenant'].value.trim();
    const apiKey = el['login-key'].value.trim();
    el['login-key'].value = '';             // the key is never kept, not even in the field
    if (!tenantID || !apiKey) {
      showLoginError({ key: 'login.missing' });
      (tenantID ? el['login-key'] : el['login-tenant']).focus();
      return;
    }
    setSubmitting(true);
    try {
      // Operator keys start with cso_ (tenant keys with csk_): the same form signs both in.
      const issued = apiKey.startsWith('cso_')
        ? await API.post('/api/v1/auth/operator-token', { operator_id: tenantID, api_key: apiKey }, { auth: false })
        : await API.post('/api/v1/auth/token', { tenant_id: tenantID, api_key: apiKey }, { auth: false });
      API.session.save(issued.token, issued.expires_in);
    } catch (error) {
      setSubmitting(false);
      showLoginError(loginFailure(error));
      el['login-key'].focus();
      return;
    }
    setSubmitting(false);
    await enter();
  }

  /** Messages for a failed sign-in: wrong credentials, refused (disabled tenant, IP), or the general ones. */
  function loginFailure(error) {
    if (error instanceof API.ApiError) {
      if (error.status === 401 || error.status === 400) return { key: 'login.invalid' };
      if (error.status === 403) return { key: 'login.refused', args: { message: error.message } };
    }
    return API.describe(error);
  }

  function setSubmitting(busy) {
    el['login-submit'].disabled = busy;
    el['login-submit'].setAttribute('aria-busy', busy ? 'true' : 'false');
    I18N.setText(el['login-submit'], busy ? 'login.submitting' : 'login.submit');
  }

  /** Any 401/403 from the API (outside sign-in): forget the session and say why on the login page. */
  function onAuthFailure(error) {
    if (!app.whoami && !API.session.token) return;     // already signed out (several calls failing at once)
    signOut(API.describe(error));
  }

  /** Clears the token (memory and sessionStorage) and everything shown, then the login view with message. */
  function signOut(message) {
    API.session.clear();
    app.whoami = null;
    Translator.reset();
    Admin.reset();
    el['session-tenant'].textContent = '';
    showView('login');
    hideLoginMessages();
    if (message) loginNotices().status(message.key, message.args);
  }

  function loginNotices() { return I18N.notices(el['login-notice'], el['login-error']); }
  function showLoginError(message) { loginNotices().error(message); }
  function hideLoginMessages() { loginNotices().hide(); }

  document.addEventListener('DOMContentLoaded', init);
})();
