/*
 * admin.js: the admin console (tenants with today's usage and their scheduling weight and rate limits, creating and
 * editing tenants, API keys, audit events).
 * Shown to operators (every tenant) and tenant admins (scope tenant:admin: their own tenant's keys, name, IP
 * allow-list, usage and audit). The server checks both on every call; the page only hides what a role cannot do.
 *
 * Admin.init(handlers) wires the page once; Admin.setRole(role) says who is signed in ({operator: true} or
 * {tenant: id}); Admin.show() loads everything when the tab is opened;
 * Admin.reset() forgets it all on sign-out. handlers.onAuthFailure(error) handles 401/403.
 * Tables are built with createElement/textContent only: no HTML from the server is ever interpreted.
 */
(function () {
  'use strict';

  const SCOPES = ['translate:basic', 'translate:batch', 'usage:read', 'tenant:admin'];
  const TENANT_ID = /^[a-z0-9_]{3,64}$/;

  /**
   * A tenant's scheduling weight and rate limits: the key in the API's "limits" / "effective_limits", the form input,
   * its label, whether "unlimited" is allowed, the largest value, and the server default to show until the server
   * tells it (any tenant without that override has the default in effective_limits).
   */
  const LIMITS = [
    { key: 'weight', input: 'tenant-weight', label: 'admin.field.weight', unlimited: false, max: 100, fallback: 1 },
    { key: 'requests_per_second', input: 'tenant-rps', label: 'admin.field.rps', unlimited: true, max: 1e9, fallback: 10 },
    { key: 'burst', input: 'tenant-burst', label: 'admin.field.burst', unlimited: false, max: 1e6, fallback: 20 },
    { key: 'characters_per_minute', input: 'tenant-cpm', label: 'admin.field.cpm', unlimited: true, max: 1e9, fallback: 100000 },
    { key: 'max_in_flight', input: 'tenant-max-in-flight', label: 'admin.field.maxInFlight', unlimited: true, max: 1e9, fallback: 4 },
    { key: 'max_queued_sentences', input: 'tenant-max-queued', label: 'admin.field.maxQueued', unlimited: true, max: 1e9, fallback: 256 }
  ];
  const UNLIMITED = 'unlimited';

  const state = {
    tenants: [],
    usage: null,            // /api/v1/admin/usage
    events: [],
    editing: null,          // id of the tenant in the form, or null when creating
    keysTenant: null,       // tenant whose keys are shown
    keys: [],
    role: { operator: false, tenant: null },
    handlers: {}
  };

  const el = {};
  function $(id) { return document.getElementById(id); }

  function init(handlers) {
    state.handlers = handlers || {};
    ['admin-status', 'admin-error', 'admin-refresh', 'admin-usage-date', 'tenants-body', 'tenant-form',
      'tenant-form-title', 'tenant-id', 'tenant-name', 'tenant-daily-requests', 'tenant-daily-characters', 'tenant-ips',
      'tenant-weight', 'tenant-rps', 'tenant-burst', 'tenant-cpm', 'tenant-max-in-flight', 'tenant-max-queued',
      'tenant-enabled', 'tenant-enabled-row', 'tenant-submit', 'tenant-cancel', 'keys-empty-hint', 'keys-for', 'keys-content',
      'keys-tenant-id', 'create-key-form', 'key-expires', 'create-key-button', 'new-key-box', 'new-key-value',
      'new-key-copy', 'new-key-dismiss', 'keys-body', 'audit-form', 'audit-tenant', 'audit-body', 'admin-role',
      'tenant-form-card'
    ].forEach(function (id) { el[id] = $(id); });

    el['admin-refresh'].addEventListener('click', function () { show(); });
    el['tenant-form'].addEventListener('submit', function (event) { event.preventDefault(); submitTenant(); });
    el['tenant-cancel'].addEventListener('click', function () { resetTenantForm(); });
    el['create-key-form'].addEventListener('submit', function (event) { event.preventDefault(); createKey(); });
    el['new-key-copy'].addEventListener('click', copyNewKey);
    el['new-key-dismiss'].addEventListener('click', hideNewKey);
    el['audit-form'].addEventListener('submit', function (event) { event.preventDefault(); loadAudit(); });
    I18N.onChange(function () { renderTenants(); renderKeys(); renderAudit(); renderFormTitle(); });
  }

  function isOperator() { return state.role.operator; }

  /**
   * Who is signed in: {operator: true}, or {tenant: id} for a tenant admin. Hides what the role cannot do (the
   * server refuses it anyway): creating tenants, quotas, limits, scopes, enabling, and other tenants' audit.
   */
  function setRole(role) {
    state.role = { operator: Boolean(role && role.operator), tenant: (role && role.tenant) || null };
    document.querySelectorAll('#admin-view [data-operator-only]').forEach(function (node) { node.hidden = !isOperator(); });
    if (isOperator()) I18N.setText(el['admin-role'], 'admin.role.operator');
    else I18N.setText(el['admin-role'], 'admin.role.tenantAdmin', { id: state.role.tenant });
    resetTenantForm();
  }

  /** Loads tenants, today's usage and audit events (and the open key list). */
  async function show() {
    hideMessages();
    await Promise.all([loadTenants(), loadAudit(), state.keysTenant ? loadKeys(state.keysTenant) : null]);
  }

  function reset() {
    state.tenants = []; state.usage = null; state.events = []; state.keys = []; state.keysTenant = null;
    hideNewKey();
    resetTenantForm();
    el['keys-content'].hidden = true;
    el['keys-for'].hidden = true;
    el['keys-empty-hint'].hidden = false;
    el['audit-tenant'].value = '';
    renderTenants(); renderKeys(); renderAudit();
    hideMessages();
  }

  // ------------------------------------------------------------------ calls

  /** Runs an API call; failures are shown (or end the session) and give undefined. */
  async function call(fn) {
    try {
      return await fn();
    } catch (error) {
      if (API.isAuthFailure(error)) { state.handlers.onAuthFailure(error); return undefined; }
      showError(API.describe(error));
      return undefined;
    }
  }

  function retryNote(attempt, max) { showStatus('error.busyRetrying', { attempt: attempt, max: max }); }

  async function loadTenants() {
    const [list, usage] = await Promise.all([
      call(function () { return API.get('/api/v1/admin/tenants', { onRetry: retryNote }); }),
      // Usage is a nice-to-have here: a failure leaves the columns with limits only.
      API.get('/api/v1/admin/usage', { onRetry: retryNote }).catch(function (error) {
        if (API.isAuthFailure(error)) state.handlers.onAuthFailure(error);
        return null;
      })
    ]);
    if (list) state.tenants = list.tenants || [];
    state.usage = usage;
    renderTenants();
    renderLimitPlaceholders();   // the server defaults may be known now
  }

  async function loadKeys(tenantID) {
    const result = await call(function () {
      return API.get('/api/v1/admin/tenants/' + encodeURIComponent(tenantID) + '/keys', { onRetry: retryNote });
    });
    if (result && state.keysTenant === tenantID) {
      state.keys = result.keys || [];
      renderKeys();
    }
  }

  async function loadAudit() {
    const tenant = el['audit-tenant'].value.trim();
    const query = '?limit=100' + (tenant ? '&tenant=' + encodeURIComponent(tenant) : '');
    const result = await call(function () { return API.get('/api/v1/admin/audit' + query, { onRetry: retryNote }); });
    if (result) {
      state.events = result.events || [];
      renderAudit();
    }
  }

  // ------------------------------------------------------------------ tenants table

  function usageFor(id) {
    const rows = (state.usage && state.usage.tenants) || [];
    return rows.find(function (u) { return u.tenant_id === id; }) || null;
  }

  function renderTenants() {
    const body = el['tenants-body'];
    body.textContent = '';
    if (state.usage && state.usage.date) {
      I18N.setText(el['admin-usage-date'], 'admin.usageDate', { date: state.usage.date, time: { time: state.usage.resets_at } });
    } else {
      el['admin-usage-date'].textContent = '';
    }
    if (state.tenants.length === 0) {
      body.appendChild(emptyRow(9, 'admin.noTenants'));
      return;
    }
    state.tenants.forEach(function (tenant) {
      const usage = usageFor(tenant.id);
      const row = document.createElement('tr');
      row.dataset.tenantId = tenant.id;
      if (!tenant.enabled) row.classList.add('row-disabled');
      row.appendChild(cell(code(tenant.id)));
      row.appendChild(cell(tenant.name));
      row.appendChild(cell(badge(tenant.enabled ? 'admin.enabled' : 'admin.disabled', tenant.enabled ? 'ok' : 'off')));
      row.appendChild(cell(chips(tenant.scopes || [])));
      row.appendChild(cell(usedOf(usage ? usage.requests : null, tenant.daily_requests)));
      const characters = cell(usedOf(usage ? usage.characters : null, tenant.daily_characters));
      const engine = document.createElement('div');
      engine.className = 'engine-time';
      engine.dataset.testid = 'engine-' + tenant.id;
      engine.textContent = I18N.t('admin.engineTime', { seconds: engineSeconds(usage) });
      characters.appendChild(engine);
      row.appendChild(characters);
      const limits = cell(limitsSummary(tenant), null, 'limits-cell');
      limits.dataset.testid = 'limits-' + tenant.id;
      row.appendChild(limits);
      row.appendChild(cell((tenant.allowed_ips && tenant.allowed_ips.length) ? tenant.allowed_ips.join(', ') : I18N.t('admin.anyIP')));

      const actions = document.createElement('div');
      actions.className = 'row-actions';
      actions.appendChild(actionButton('admin.edit', 'admin.editLabel', tenant.id, 'edit-' + tenant.id,
        function () { editTenant(tenant); }));
      actions.appendChild(actionButton('admin.keysButton', 'admin.keysLabel', tenant.id, 'keys-' + tenant.id,
        function () { openKeys(tenant.id); }));
      if (isOperator()) {
        actions.appendChild(actionButton(tenant.enabled ? 'admin.disable' : 'admin.enable',
          tenant.enabled ? 'admin.disableLabel' : 'admin.enableLabel', tenant.id, 'toggle-' + tenant.id,
          function () { setEnabled(tenant, !tenant.enabled); }));
      }
      row.appendChild(cell(actions));
      body.appendChild(row);
    });
  }

  /** Engine seconds spent on the tenant today (from engine_ms), one decimal. */
  function engineSeconds(usage) {
    const ms = usage && typeof usage.engine_ms === 'number' ? usage.engine_ms : 0;
    return I18N.formatNumber(Math.round(ms / 100) / 10);
  }

  function usedOf(used, limit) {
    const u = used === null || used === undefined ? '–' : I18N.formatNumber(used);
    const l = limit === null || limit === undefined ? I18N.t('admin.unlimited') : I18N.formatNumber(limit);
    return I18N.t('admin.usedOf', { used: u, limit: l });
  }

  /** "weight 2 · 5 req/s (burst 8) · 100,000 chars/min · 4 in flight · 256 queued"; overrides in bold. */
  function limitsSummary(tenant) {
    const wrap = document.createElement('span');
    wrap.className = 'limits';
    const effective = tenant.effective_limits;
    if (!effective) { wrap.textContent = '–'; return wrap; }
    const own = tenant.limits || {};
    function part(key, textKey, unlimitedKey) {
      const value = !isSet(effective[key]) && unlimitedKey ? UNLIMITED : effective[key];
      const span = document.createElement('span');
      span.className = 'limit';
      if (value === UNLIMITED && unlimitedKey) span.textContent = I18N.t(unlimitedKey);
      else span.textContent = I18N.t(textKey, { value: isSet(value) ? value : '–' });
      if (isSet(own[key])) {
        span.classList.add('limit-override');
        span.title = I18N.t('admin.limits.override', { value: limitDisplay(serverDefault(limitSpec(key))) });
      }
      return span;
    }
    const groups = [
      [part('weight', 'admin.limits.weight')],
      [part('requests_per_second', 'admin.limits.rps', 'admin.limits.rpsUnlimited'), part('burst', 'admin.limits.burst')],
      [part('characters_per_minute', 'admin.limits.cpm', 'admin.limits.cpmUnlimited')],
      [part('max_in_flight', 'admin.limits.inFlight', 'admin.limits.inFlightUnlimited')],
      [part('max_queued_sentences', 'admin.limits.queued', 'admin.limits.queuedUnlimited')]
    ];
    groups.forEach(function (group, i) {
      // A no-break space keeps each "·" at the end of a line, not the start of the next.
      if (i > 0) wrap.appendChild(document.createTextNode('\u00a0· '));
      const together = document.createElement('span');
      together.className = 'limit-group';
      group.forEach(function (span, j) {
        if (j > 0) together.appendChild(document.createTextNode(' '));
        together.appendChild(span);
      });
      wrap.appendChild(together);
    });
    return wrap;
  }

  function isSet(value) { return value !== null && value !== undefined; }

  function limitSpec(key) { return LIMITS.find(function (spec) { return spec.key === key; }); }

  /** The server's default for a limit: what a tenant without its own value gets, else the documented default. */
  function serverDefault(spec) {
    for (const tenant of state.tenants) {
      const own = (tenant.limits || {})[spec.key];
      const effective = (tenant.effective_limits || {})[spec.key];
      if (!isSet(own) && isSet(effective)) return effective;
    }
    return spec.fallback;
  }

  function limitDisplay(value) { return value === UNLIMITED ? I18N.t('admin.unlimited') : I18N.formatNumber(value); }

  async function setEnabled(tenant, enabled) {
    hideMessages();
    const updated = await call(function () {
      return API.patch('/api/v1/admin/tenants/' + encodeURIComponent(tenant.id), { enabled: enabled });
    });
    if (updated) {
      showStatus(enabled ? 'admin.tenantEnabled' : 'admin.tenantDisabled', { id: tenant.id });
      await loadTenants();
    }
  }

  // ------------------------------------------------------------------ tenant form (create / edit)

  function editTenant(tenant) {
    state.editing = tenant.id;
    el['tenant-id'].value = tenant.id;
    el['tenant-id'].readOnly = true;
    el['tenant-name'].value = tenant.name;
    setScopes(tenant.scopes || []);
    el['tenant-daily-requests'].value = tenant.daily_requests === null || tenant.daily_requests === undefined ? '' : tenant.daily_requests;
    el['tenant-daily-characters'].value = tenant.daily_characters === null || tenant.daily_characters === undefined ? '' : tenant.daily_characters;
    el['tenant-ips'].value = (tenant.allowed_ips || []).join('\n');
    LIMITS.forEach(function (spec) {
      const value = (tenant.limits || {})[spec.key];
      el[spec.input].value = isSet(value) ? String(value) : '';
    });
    clearInvalidLimits();
    el['tenant-enabled'].checked = Boolean(tenant.enabled);
    el['tenant-enabled-row'].hidden = !isOperator();
    el['tenant-cancel'].hidden = false;
    el['tenant-form-card'].hidden = false;
    renderFormTitle();
    el['tenant-name'].focus();
  }

  function resetTenantForm() {
    state.editing = null;
    el['tenant-form'].reset();
    el['tenant-id'].readOnly = false;
    setScopes(['translate:basic', 'translate:batch', 'usage:read']);
    clearInvalidLimits();
    el['tenant-enabled-row'].hidden = true;
    el['tenant-cancel'].hidden = true;
    el['tenant-form-card'].hidden = !isOperator();   // only operators create tenants; tenant admins edit their own
    renderFormTitle();
  }

  function renderFormTitle() {
    if (state.editing) {
      I18N.setText(el['tenant-form-title'], 'admin.editTenant', { id: state.editing });
      I18N.setText(el['tenant-submit'], 'admin.saveTenant');
    } else {
      I18N.setText(el['tenant-form-title'], 'admin.createTenant');
      I18N.setText(el['tenant-submit'], 'admin.createTenantSubmit');
    }
    renderLimitPlaceholders();
  }

  /** Empty limit fields read "default (N)": the server default, which is what an empty field sends for. */
  function renderLimitPlaceholders() {
    LIMITS.forEach(function (spec) {
      el[spec.input].placeholder = I18N.t('admin.field.default', { value: limitDisplay(serverDefault(spec)) });
    });
  }

  function scopeBoxes() { return Array.from(document.querySelectorAll('#tenant-scopes input[name="scope"]')); }

  function setScopes(scopes) { scopeBoxes().forEach(function (box) { box.checked = scopes.includes(box.value); }); }

  /** A quota field: '' → null (unlimited), a whole number ≥ 0 → that number, anything else → NaN. */
  function quotaValue(input) {
    const text = input.value.trim();
    if (text === '') return null;
    return /^\d+$/.test(text) ? Number(text) : NaN;
  }

  /**
   * A limit field: '' → null (server default), a whole number in range → that number (digit grouping allowed),
   * "unlimited" (or the word shown in the table) where allowed → "unlimited", anything else → NaN.
   */
  function limitValue(spec) {
    const text = el[spec.input].value.trim();
    if (text === '') return null;
    if (/^\d+$/.test(text) || /^\d{1,3}(,\d{3})+$/.test(text)) {
      const n = Number(text.replace(/,/g, ''));
      return Number.isSafeInteger(n) && n >= 1 && n <= spec.max ? n : NaN;
    }
    const word = text.toLowerCase();
    if (spec.unlimited && (word === UNLIMITED || word === I18N.t('admin.unlimited').toLowerCase())) return UNLIMITED;
    return NaN;
  }

  /** {limits} with every key (null = server default), or {error, input} for the first invalid field. */
  function readLimits() {
    const limits = {};
    for (const spec of LIMITS) {
      const value = limitValue(spec);
      if (Number.isNaN(value)) {
        let error;
        if (spec.key === 'weight') error = { key: 'admin.invalidWeight' };
        else {
          error = { key: spec.unlimited ? 'admin.invalidLimit' : 'admin.invalidLimitFinite',
            args: { field: { text: spec.label }, max: spec.max } };
        }
        return { error: error, input: el[spec.input] };
      }
      limits[spec.key] = value;
    }
    return { limits: limits };
  }

  function clearInvalidLimits() {
    LIMITS.forEach(function (spec) { el[spec.input].removeAttribute('aria-invalid'); });
  }

  async function submitTenant() {
    hideMessages();
    clearInvalidLimits();
    const id = el['tenant-id'].value.trim();
    const name = el['tenant-name'].value.trim();
    const dailyRequests = quotaValue(el['tenant-daily-requests']);
    const dailyCharacters = quotaValue(el['tenant-daily-characters']);
    if (!TENANT_ID.test(id)) { showError({ key: 'admin.invalidId' }); el['tenant-id'].focus(); return; }
    if (!name) { showError({ key: 'admin.invalidName' }); el['tenant-name'].focus(); return; }
    const allowedIPs = el['tenant-ips'].value.split(/[\s,]+/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (!isOperator()) {
      // A tenant admin edits its own tenant's name and IP allow-list only.
      if (!state.editing) return;
      el['tenant-submit'].disabled = true;
      try {
        const saved = await call(function () {
          return API.patch('/api/v1/admin/tenants/' + encodeURIComponent(state.editing), { name: name, allowed_ips: allowedIPs });
        });
        if (saved) { showStatus('admin.tenantSaved', { id: saved.id || id }); resetTenantForm(); await loadTenants(); }
      } finally {
        el['tenant-submit'].disabled = false;
      }
      return;
    }
    if (Number.isNaN(dailyRequests) || Number.isNaN(dailyCharacters)) { showError({ key: 'admin.invalidNumber' }); return; }
    const limits = readLimits();
    if (limits.error) {
      showError(limits.error);
      limits.input.setAttribute('aria-invalid', 'true');
      limits.input.focus();
      return;
    }
    const body = {
      name: name,
      scopes: scopeBoxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; })
        .filter(function (s) { return SCOPES.includes(s); }),
      daily_requests: dailyRequests,
      daily_characters: dailyCharacters,
      allowed_ips: allowedIPs,
      limits: limits.limits
    };
    el['tenant-submit'].disabled = true;
    try {
      if (state.editing) {
        body.enabled = el['tenant-enabled'].checked;
        const saved = await call(function () {
          return API.patch('/api/v1/admin/tenants/' + encodeURIComponent(state.editing), body);
        });
        if (saved) { showStatus('admin.tenantSaved', { id: saved.id || id }); resetTenantForm(); await loadTenants(); }
      } else {
        body.id = id;
        const created = await call(function () { return API.post('/api/v1/admin/tenants', body); });
        if (created) {
          showStatus('admin.tenantCreated', { id: created.id || id });
          resetTenantForm();
          await loadTenants();
          openKeys(created.id || id);
        }
      }
    } finally {
      el['tenant-submit'].disabled = false;
    }
  }

  // ------------------------------------------------------------------ keys

  function openKeys(tenantID) {
    if (state.keysTenant !== tenantID) hideNewKey();
    state.keysTenant = tenantID;
    state.keys = [];
    el['keys-tenant-id'].textContent = tenantID;
    el['keys-empty-hint'].hidden = true;
    el['keys-for'].hidden = false;
    el['keys-content'].hidden = false;
    renderKeys();
    loadKeys(tenantID);
  }

  function keyState(key) {
    if (key.revoked_at) return { text: 'admin.keyRevokedState', kind: 'off' };
    if (key.expires_at && Date.parse(key.expires_at) <= Date.now()) return { text: 'admin.keyExpired', kind: 'warn' };
    return { text: 'admin.keyActive', kind: 'ok' };
  }

  function renderKeys() {
    const body = el['keys-body'];
    body.textContent = '';
    if (!state.keysTenant) return;
    if (state.keys.length === 0) { body.appendChild(emptyRow(7, 'admin.noKeys')); return; }
    state.keys.forEach(function (key) {
      const row = document.createElement('tr');
      row.dataset.keyId = key.id;
      const s = keyState(key);
      row.appendChild(cell(code(key.id)));
      row.appendChild(cell(code(key.prefix + '…')));
      row.appendChild(cell(I18N.formatTime(key.created_at), null, 'nowrap'));
      row.appendChild(cell(key.last_used_at ? I18N.formatTime(key.last_used_at) : '–', null, 'nowrap'));
      row.appendChild(cell(key.expires_at ? I18N.formatTime(key.expires_at) : I18N.t('admin.never'), null, 'nowrap'));
      row.appendChild(cell(badge(s.text, s.kind)));
      const actions = document.createElement('div');
      actions.className = 'row-actions';
      if (!key.revoked_at) {
        const button = actionButton('admin.revoke', 'admin.revokeLabel', key.id, 'revoke-' + key.id,
          function () { revokeKey(key); });
        button.classList.add('danger');
        actions.appendChild(button);
      }
      row.appendChild(cell(actions));
      body.appendChild(row);
    });
  }

  async function createKey() {
    hideMessages();
    const tenantID = state.keysTenant;
    if (!tenantID) return;
    const days = quotaValue(el['key-expires']);
    if (Number.isNaN(days) || days === 0) { showError({ key: 'admin.invalidNumber' }); return; }
    el['create-key-button'].disabled = true;
    try {
      const created = await call(function () {
        return API.post('/api/v1/admin/tenants/' + encodeURIComponent(tenantID) + '/keys',
          days === null ? {} : { expires_in_days: days });
      });
      if (created && created.api_key) {
        el['key-expires'].value = '';
        el['new-key-value'].value = created.api_key;   // shown once; forgotten when dismissed or on sign-out
        el['new-key-box'].hidden = false;
        showStatus('admin.keyCreated', { id: created.key ? created.key.id : '' });
        el['new-key-value'].focus();
        el['new-key-value'].select();
        await loadKeys(tenantID);
      }
    } finally {
      el['create-key-button'].disabled = false;
    }
  }

  function hideNewKey() {
    el['new-key-value'].value = '';
    el['new-key-box'].hidden = true;
  }

  async function copyNewKey() {
    const value = el['new-key-value'].value;
    if (!value) return;
    let ok = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(value); ok = true; } catch (e) { ok = false; }
    }
    if (!ok) {
      el['new-key-value'].select();
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    }
    showStatus(ok ? 'translator.copied' : 'translator.copyFailed');
  }

  async function revokeKey(key) {
    hideMessages();
    if (!window.confirm(I18N.t('admin.revokeConfirm', { id: key.id }))) return;
    const revoked = await call(function () {
      return API.post('/api/v1/admin/keys/' + encodeURIComponent(key.id) + '/revoke', {});
    });
    if (revoked) {
      showStatus('admin.keyRevoked', { id: key.id });
      await loadKeys(state.keysTenant);
    }
  }

  // ------------------------------------------------------------------ audit

  function renderAudit() {
    const body = el['audit-body'];
    body.textContent = '';
    if (state.events.length === 0) { body.appendChild(emptyRow(8, 'admin.noEvents')); return; }
    state.events.forEach(function (event) {
      const row = document.createElement('tr');
      if (event.status >= 400) row.classList.add('row-error');
      row.appendChild(cell(event.time ? I18N.formatTime(event.time) : '–', event.time, 'nowrap'));
      row.appendChild(cell(event.tenant_id ? code(event.tenant_id) : '–'));
      row.appendChild(cell(code([event.method, event.path].filter(Boolean).join(' ') || '–'), event.request_id));
      row.appendChild(cell(event.status !== undefined ? badge(null, event.status >= 400 ? 'off' : 'ok', String(event.status)) : '–'));
      row.appendChild(cell(event.latency_ms !== undefined ? (Math.round(event.latency_ms * 10) / 10) + ' ms' : '–', null, 'nowrap'));
      row.appendChild(cell(event.characters !== undefined && event.characters !== null ? I18N.formatNumber(event.characters) : '–'));
      const what = [event.action, event.target, event.error, event.cache ? I18N.t('admin.cache', { value: event.cache }) : null]
        .filter(function (x) { return x !== undefined && x !== null && x !== ''; });
      row.appendChild(cell(what.length ? what.join(' · ') : '–'));
      row.appendChild(cell(event.client_ip || '–'));
      body.appendChild(row);
    });
  }

  // ------------------------------------------------------------------ DOM helpers

  function cell(content, title, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content === undefined || content === null ? '' : String(content);
    if (title) td.title = title;
    return td;
  }

  function code(text) {
    const c = document.createElement('code');
    c.textContent = text;
    return c;
  }

  function badge(key, kind, literal) {
    const span = document.createElement('span');
    span.className = 'badge ' + kind;
    if (key) I18N.setText(span, key); else span.textContent = literal;
    return span;
  }

  function chips(scopes) {
    const wrap = document.createElement('span');
    wrap.className = 'chips';
    scopes.forEach(function (s) {
      const chip = document.createElement('span');
      chip.className = 'chip' + (s === 'tenant:admin' ? ' chip-admin' : '');
      chip.textContent = s;
      wrap.appendChild(chip);
    });
    return wrap;
  }

  function actionButton(key, labelKey, id, testID, onClick) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button small secondary';
    button.dataset.testid = testID;
    I18N.setText(button, key);
    button.setAttribute('aria-label', I18N.t(labelKey, { id: id }));
    button.addEventListener('click', onClick);
    return button;
  }

  function emptyRow(columns, key) {
    const row = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = columns;
    td.className = 'empty';
    I18N.setText(td, key);
    row.appendChild(td);
    return row;
  }

  function notices() { return I18N.notices(el['admin-status'], el['admin-error']); }
  function showStatus(key, args) { notices().status(key, args); }
  function showError(message) { notices().error(message); }
  function hideMessages() { notices().hide(); }

  window.Admin = { init: init, setRole: setRole, show: show, reset: reset };
})();
