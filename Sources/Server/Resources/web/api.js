/*
 * api.js: talking to the csanmt HTTP API.
 *
 * - Session: the JWT lives in memory and in sessionStorage (gone when the tab closes). Never localStorage, never a
 *   URL or query string, never a cookie. The API key itself is never stored anywhere.
 * - API.request(): JSON in, JSON out. Failures throw API.ApiError {status, code, message, body}; status 0 means the
 *   server could not be reached. 503 is retried with exponential backoff (honouring Retry-After), 4 tries in all.
 * - API.describe(): turns an ApiError into a localisable message {key, args} for the UI.
 */
(function () {
  'use strict';

  const TOKEN_KEY = 'csanmt.token';
  const EXPIRES_KEY = 'csanmt.tokenExpiresAt';
  const MAX_TRIES = 4;            // 1 try + 3 retries on 503
  const BASE_DELAY_MS = 1000;     // 1 s, 2 s, 4 s …
  const MAX_DELAY_MS = 30000;     // never wait longer than this for one retry

  /** An API failure: HTTP status (0 = network), the error code and message from the body, and the body. */
  class ApiError extends Error {
    constructor(status, code, message, body, headers) {
      super(message || code || ('HTTP ' + status));
      this.name = 'ApiError';
      this.status = status;
      this.code = code || '';
      this.body = body || null;
      this.headers = headers || null;
    }
  }

  // ------------------------------------------------------------------ session

  const session = {
    token: null,
    expiresAt: 0,    // ms since epoch; 0 = unknown

    /** Restores the token from sessionStorage (after a reload of the same tab). */
    load() {
      try {
        this.token = window.sessionStorage.getItem(TOKEN_KEY);
        this.expiresAt = Number(window.sessionStorage.getItem(EXPIRES_KEY)) || 0;
      } catch (e) { this.token = null; this.expiresAt = 0; }
      return this.token;
    },

    save(token, expiresInSeconds) {
      this.token = token;
      this.expiresAt = expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : 0;
      try {
        window.sessionStorage.setItem(TOKEN_KEY, token);
        window.sessionStorage.setItem(EXPIRES_KEY, String(this.expiresAt));
      } catch (e) { /* storage blocked: the token stays in memory only */ }
    },

    clear() {
      this.token = null;
      this.expiresAt = 0;
      try { window.sessionStorage.clear(); } catch (e) { /* ignore */ }
    },

    /** True when we know the token has run out (the server is asked otherwise). */
    isExpired() { return this.expiresAt > 0 && Date.now() >= this.expiresAt; },

    /** True when the token runs out within two minutes (admin tokens live 15): time to renew it. */
    needsRenewal() { return this.expiresAt > 0 && Date.now() >= this.expiresAt - 120000; }
  };

  let renewing = null;   // one renewal at a time, shared by concurrent calls

  /** Swaps a token about to expire for a new one (POST /api/v1/auth/refresh signs the old one out). */
  async function renewIfNeeded() {
    if (!session.token || session.isExpired() || !session.needsRenewal()) return;
    if (!renewing) {
      renewing = (async function () {
        try {
          const response = await fetch('/api/v1/auth/refresh', {
            method: 'POST', headers: { 'Accept': 'application/json', 'Authorization': 'Bearer ' + session.token },
            credentials: 'omit', cache: 'no-store', redirect: 'error'
          });
          if (response.ok) {
            const body = await response.json();
            session.save(body.token, body.expires_in);
          }
        } catch (e) { /* the call itself will report the problem */ }
        renewing = null;
      })();
    }
    await renewing;
  }

  /** Signs the token out on the server (best effort) and forgets it here. */
  async function logout() {
    const token = session.token;
    session.clear();
    if (!token) return;
    try {
      await fetch('/api/v1/auth/logout', {
        method: 'POST', headers: { 'Authorization': 'Bearer ' + token }, credentials: 'omit', cache: 'no-store', redirect: 'error'
      });
    } catch (e) { /* offline: the token still expires on its own */ }
  }

  // ------------------------------------------------------------------ requests

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /** Retry-After in ms (seconds or an HTTP date), or null. */
  function retryAfterMs(headers) {
    const value = headers && headers.get('Retry-After');
    if (!value) return null;
    if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
  }

  async function readBody(response) {
    const text = await response.text();
    if (!text) return null;
    try { return JSON.parse(text); } catch (e) { return { raw: text }; }
  }

  /**
   * Calls the API. options: body (JSON-encoded), auth (default true: sends the Bearer token),
   * onRetry(attempt, maxTries, delayMs) (called before waiting out a 503).
   */
  async function request(method, path, options) {
    const opts = options || {};
    const auth = opts.auth !== false;
    if (auth) await renewIfNeeded();
    if (auth && (!session.token || session.isExpired())) {
      throw new ApiError(401, 'token_expired', 'the session token has expired', null, null);
    }
    const headers = { 'Accept': 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) headers['Authorization'] = 'Bearer ' + session.token;

    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await fetch(path, {
          method: method,
          headers: headers,
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          credentials: 'omit',
          cache: 'no-store',
          redirect: 'error'
        });
      } catch (e) {
        throw new ApiError(0, 'network', 'the server cannot be reached', null, null);
      }
      const body = await readBody(response);
      if (response.ok) return body;

      const err = (body && body.error) || {};
      const error = new ApiError(response.status, err.code, err.message, body, response.headers);
      if (response.status === 503 && attempt < MAX_TRIES) {
        const backoff = BASE_DELAY_MS * Math.pow(2, attempt - 1);
        const delay = Math.min(MAX_DELAY_MS, Math.max(backoff, retryAfterMs(response.headers) || 0));
        if (opts.onRetry) opts.onRetry(attempt + 1, MAX_TRIES, delay);
        await sleep(delay);
        continue;
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ messages

  /** True for failures that mean "sign in again": a 401, or a 403 (scope removed, tenant disabled, IP refused). */
  function isAuthFailure(error) {
    return error instanceof ApiError && (error.status === 401 || error.status === 403);
  }

  /**
   * A localisable {key, args} describing a failure. maxCharacters (optional) is the per-request limit known from
   * /api/v1/usage, used for 413.
   */
  function describe(error, maxCharacters) {
    if (!(error instanceof ApiError)) return { key: 'error.generic', args: { message: String(error && error.message || error) } };
    const message = error.message || error.code;
    switch (error.status) {
      case 0: return { key: 'error.network' };
      case 401: return { key: 'login.sessionExpired' };
      case 403: return { key: 'login.accessDenied', args: { message: message } };
      case 404: return { key: 'error.notFound', args: { message: message } };
      case 409: return { key: 'error.conflict', args: { message: message } };
      case 413:
        if (error.code === 'text_too_long' && maxCharacters) return { key: 'error.tooLong', args: { limit: maxCharacters } };
        return { key: 'error.tooLongServer', args: { message: message } };
      case 429: return describeQuota(error);
      case 503: return { key: 'error.busyGaveUp' };
      default:
        if (error.status >= 400 && error.status < 500) return { key: 'error.badRequest', args: { message: message } };
        return { key: 'error.server', args: { code: error.code || ('HTTP ' + error.status) } };
    }
  }

  /** 429: which quota, and when it resets (from reset_at, else Retry-After). */
  function describeQuota(error) {
    const body = error.body || {};
    let reset = body.reset_at || (body.error && body.error.reset_at);
    const limit = body.limit || (body.error && body.error.limit);
    if (!reset) {
      const wait = retryAfterMs(error.headers);
      if (wait !== null) reset = new Date(Date.now() + wait).toISOString();
    }
    if (limit === 'requests') return { key: 'error.quotaRequests', args: { time: { time: reset } } };
    if (limit === 'characters') return { key: 'error.quotaCharacters', args: { time: { time: reset } } };
    return { key: 'error.quotaOther', args: { message: error.message || error.code } };
  }

  window.API = {
    ApiError: ApiError,
    session: session,
    logout: logout,
    request: request,
    describe: describe,
    isAuthFailure: isAuthFailure,
    get: function (path, options) { return request('GET', path, options); },
    post: function (path, body, options) { return request('POST', path, Object.assign({}, options, { body: body })); },
    patch: function (path, body, options) { return request('PATCH', path, Object.assign({}, options, { body: body })); }
  };
})();
