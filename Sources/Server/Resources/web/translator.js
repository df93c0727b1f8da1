/*
 * translator.js: the translator page (source and translation panes, usage bar).
 *
 * Translator.init(handlers) wires the page once; Translator.start() runs after each sign-in (reads the model's
 * directions and today's usage); Translator.reset() clears it on sign-out. handlers.onAuthFailure(error) is called
 * for 401/403 answers (the app then returns to the login page).
 */
(function () {
  'use strict';

  const LIVE_DELAY_MS = 600;   // "translate as you type" waits this long after the last keystroke

  const state = {
    source: 'zh',
    target: 'en',
    directions: [],              // [{source, target}] from /api/ready
    maxCharacters: null,         // per-request limit from /api/v1/usage
    usageVisible: false,
    sequence: 0,                 // numbers requests so that late answers to older texts are dropped
    pending: 0,                  // requests in flight
    liveTimer: null,
    lastUsage: null,
    handlers: {}
  };

  const el = {};

  function $(id) { return document.getElementById(id); }

  function init(handlers) {
    state.handlers = handlers || {};
    ['source-text', 'translation-output', 'translate-button', 'translate-button-label', 'clear-button', 'copy-button',
      'live-translate', 'char-counter', 'swap-button', 'source-lang-name', 'target-lang-name', 'source-label',
      'output-label', 'translate-status', 'translate-error', 'usage-bar', 'usage-requests', 'usage-requests-meter',
      'usage-characters', 'usage-characters-meter', 'usage-reset'].forEach(function (id) { el[id] = $(id); });

    el['translate-button'].addEventListener('click', function () { translate(); });
    el['clear-button'].addEventListener('click', clearAll);
    el['copy-button'].addEventListener('click', copyOutput);
    el['swap-button'].addEventListener('click', swapDirection);
    el['source-text'].addEventListener('input', onInput);
    el['source-text'].addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        translate();
      }
    });
    el['live-translate'].addEventListener('change', function () {
      if (el['live-translate'].checked) scheduleLive();
      else clearTimeout(state.liveTimer);
    });
    I18N.onChange(function () { renderDirection(); renderCounter(); renderUsage(state.lastUsage); });
    renderDirection();
    renderCounter();
  }

  /** After sign-in: model directions (for the swap button) and today's usage (for the bar and the limit). */
  function start() {
    loadDirections();
    refreshUsage();
    renderCounter();
  }

  function reset() {
    clearTimeout(state.liveTimer);
    state.sequence++;
    state.pending = 0;
    state.maxCharacters = null;
    state.lastUsage = null;
    el['source-text'].value = '';
    el['translation-output'].textContent = '';
    el['copy-button'].disabled = true;
    setBusy(false);
    hideMessages();
    el['usage-bar'].hidden = true;
    renderCounter();
  }

  // ------------------------------------------------------------------ directions

  async function loadDirections() {
    try {
      const languages = await API.get('/api/v1/languages');
      state.directions = (languages && Array.isArray(languages.directions)) ? languages.directions : [];
      const current = state.directions.find(function (d) { return d.source === state.source && d.target === state.target; });
      if (!current && state.directions.length > 0) {
        state.source = state.directions[0].source;
        state.target = state.directions[0].target;
      }
    } catch (e) {
      state.directions = [];   // not ready yet: keep zh→en and no swap; a translation will report the problem
    }
    renderDirection();
  }

  function supports(source, target) {
    return state.directions.some(function (d) { return d.source === source && d.target === target; });
  }

  function renderDirection() {
    el['source-lang-name'].textContent = I18N.languageName(state.source);
    el['target-lang-name'].textContent = I18N.languageName(state.target);
    I18N.setText(el['source-label'], 'translator.sourceIn', { lang: { lang: state.source } });
    I18N.setText(el['output-label'], 'translator.outputIn', { lang: { lang: state.target } });
    el['source-text'].lang = state.source;
    el['translation-output'].lang = state.target;
    const canSwap = supports(state.target, state.source);
    el['swap-button'].hidden = !canSwap;
    el['swap-button'].disabled = !canSwap;
  }

  function swapDirection() {
    if (!supports(state.target, state.source)) return;
    const previousOutput = el['translation-output'].textContent;
    [state.source, state.target] = [state.target, state.source];
    if (previousOutput) {
      el['source-text'].value = previousOutput;
      el['translation-output'].textContent = '';
      el['copy-button'].disabled = true;
    }
    renderDirection();
    renderCounter();
  }

  // ------------------------------------------------------------------ counter

  function characterCount() { return [...el['source-text'].value].length; }   // Unicode code points

  function renderCounter() {
    const n = characterCount();
    const limit = state.maxCharacters;
    if (limit) I18N.setText(el['char-counter'], 'translator.counter', { n: n, limit: limit });
    else I18N.setText(el['char-counter'], 'translator.counterNoLimit', { n: n });
    const over = Boolean(limit) && n > limit;
    el['char-counter'].classList.toggle('over', over);
    el['source-text'].setAttribute('aria-invalid', over ? 'true' : 'false');
  }

  function onInput() {
    renderCounter();
    if (el['live-translate'].checked) scheduleLive();
  }

  function scheduleLive() {
    clearTimeout(state.liveTimer);
    state.liveTimer = setTimeout(function () {
      if (el['source-text'].value.trim()) translate({ live: true });
    }, LIVE_DELAY_MS);
  }

  // ------------------------------------------------------------------ translating

  async function translate(options) {
    const live = Boolean(options && options.live);
    const text = el['source-text'].value;
    hideMessages();
    if (!text.trim()) {
      if (!live) showStatus('translator.empty');
      return;
    }
    const n = [...text].length;
    if (state.maxCharacters && n > state.maxCharacters) {
      showError({ key: 'translator.tooLongLocal', args: { limit: state.maxCharacters, n: n } });
      return;
    }
    if (!live && state.pending > 0 && el['translate-button'].disabled) return;   // a click while busy

    const mine = ++state.sequence;
    state.pending++;
    setBusy(true);
    try {
      const result = await API.post('/api/v1/translate', { text: text, source: state.source, target: state.target }, {
        onRetry: function (attempt, max) {
          if (mine === state.sequence) showStatus('error.busyRetrying', { attempt: attempt, max: max });
        }
      });
      if (mine !== state.sequence) return;          // an older text: a newer request is on its way
      hideMessages();
      el['translation-output'].textContent = (result && typeof result.translated_text === 'string')
        ? result.translated_text : '';
      el['copy-button'].disabled = !el['translation-output'].textContent;
    } catch (error) {
      if (mine !== state.sequence) return;
      if (API.isAuthFailure(error)) { state.handlers.onAuthFailure(error); return; }
      // The output no longer matches the source: clear it rather than show a stale translation.
      el['translation-output'].textContent = '';
      el['copy-button'].disabled = true;
      showError(API.describe(error, state.maxCharacters));
    } finally {
      state.pending = Math.max(0, state.pending - 1);
      if (mine === state.sequence) setBusy(false);
    }
    if (API.session.token) refreshUsage();
  }

  /** Loading state: button disabled with a spinner, output marked busy. */
  function setBusy(busy) {
    const button = el['translate-button'];
    button.disabled = busy;
    button.classList.toggle('loading', busy);
    button.setAttribute('aria-busy', busy ? 'true' : 'false');
    el['translation-output'].setAttribute('aria-busy', busy ? 'true' : 'false');
    el['translation-output'].classList.toggle('loading', busy);
    I18N.setText(el['translate-button-label'], busy ? 'translator.translating' : 'translator.translate');
  }

  function clearAll() {
    clearTimeout(state.liveTimer);
    state.sequence++;
    state.pending = 0;
    setBusy(false);
    el['source-text'].value = '';
    el['translation-output'].textContent = '';
    el['copy-button'].disabled = true;
    hideMessages();
    renderCounter();
    el['source-text'].focus();
  }

  // ------------------------------------------------------------------ copy

  async function copyOutput() {
    const text = el['translation-output'].textContent;
    if (!text) return;
    const ok = await copyText(text);
    showStatus(ok ? 'translator.copied' : 'translator.copyFailed');
  }

  /** navigator.clipboard where allowed (secure contexts), else a hidden textarea and execCommand('copy'). */
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall back */ }
    }
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  // ------------------------------------------------------------------ usage

  /** Reads today's usage; a 403 (no usage:read scope) just hides the bar. */
  async function refreshUsage() {
    try {
      const usage = await API.get('/api/v1/usage');
      state.lastUsage = usage;
      if (usage && usage.max_characters_per_request) state.maxCharacters = usage.max_characters_per_request;
      renderUsage(usage);
      renderCounter();
    } catch (error) {
      if (error instanceof API.ApiError && (error.status === 403 || error.status === 404)) {
        state.lastUsage = null;
        el['usage-bar'].hidden = true;
        return;
      }
      if (error instanceof API.ApiError && error.status === 401) { state.handlers.onAuthFailure(error); return; }
      // Other failures (network, busy): keep the last numbers; the next translation refreshes them.
    }
  }

  function renderUsage(usage) {
    if (!usage) { el['usage-bar'].hidden = true; return; }
    el['usage-bar'].hidden = false;
    renderQuota(usage.requests, el['usage-requests'], el['usage-requests-meter'], 'usage.requests', 'usage.requestsNoLimit');
    renderQuota(usage.characters, el['usage-characters'], el['usage-characters-meter'], 'usage.characters', 'usage.charactersNoLimit');
    if (usage.resets_at) I18N.setText(el['usage-reset'], 'usage.resets', { time: { time: usage.resets_at } });
    else el['usage-reset'].textContent = '';
  }

  function renderQuota(quota, label, meter, key, keyNoLimit) {
    const used = (quota && quota.used) || 0;
    const limit = quota ? quota.limit : null;
    if (limit === null || limit === undefined) {
      I18N.setText(label, keyNoLimit, { used: used });
      meter.hidden = true;
      return;
    }
    I18N.setText(label, key, { used: used, limit: limit });
    meter.max = Math.max(1, limit);
    meter.value = Math.min(used, Math.max(1, limit));
    meter.hidden = false;
    meter.classList.toggle('full', used >= limit);
  }

  // ------------------------------------------------------------------ messages

  function notices() { return I18N.notices(el['translate-status'], el['translate-error']); }
  function showStatus(key, args) { notices().status(key, args); }
  function showError(message) { notices().error(message); }
  function hideMessages() { notices().hide(); }

  window.Translator = { init: init, start: start, reset: reset, refreshUsage: refreshUsage };
})();
