/*
 * i18n.js: English and Simplified Chinese texts, and applying them to the page.
 *
 * Elements name their text with data-i18n="key" (plus data-i18n-args='{"n": 3}' for placeholders) and their
 * attributes with data-i18n-attr="placeholder:key;aria-label:key". apply() fills them in; switching the language
 * re-applies everything and tells listeners (who re-render tables, dates, counters).
 * The language choice (not a secret) is kept in localStorage.
 */
(function () {
  'use strict';

  const STORAGE_KEY = 'csanmt.lang';

  const MESSAGES = {
    en: {
      'app.title': 'csanmt translator',
      'app.subtitle': 'Chinese–English translation',
      'app.loading': 'Loading…',
      'app.footer': 'csanmt · machine translation, review important texts.',
      'app.apiDocs': 'API description (OpenAPI)',
      'nav.skip': 'Skip to main content',
      'nav.label': 'Main',
      'nav.translator': 'Translator',
      'nav.admin': 'Admin console',
      'lang.select': 'Language',
      'lang.zh': 'Chinese',
      'lang.en': 'English',
      'session.signedInAs': 'Signed in as',
      'session.logout': 'Sign out',
      'session.operator': '{name} (operator)',

      'login.title': 'Sign in',
      'login.intro': 'Use your tenant id and API key, or your operator id and operator key (cso_…). The key is exchanged for a session token and is not kept by this page.',
      'login.tenant': 'Tenant or operator id',
      'login.key': 'API key',
      'login.submit': 'Sign in',
      'login.submitting': 'Signing in…',
      'login.missing': 'Enter both the id and the key.',
      'login.invalid': 'Unknown id or key. Check both and try again.',
      'login.refused': 'Sign-in was refused: {message}',
      'login.sessionExpired': 'Your session has expired, please sign in again.',
      'login.accessDenied': 'Access was denied ({message}). Please sign in again.',
      'login.signedOut': 'You have signed out.',

      'translator.title': 'Translator',
      'translator.source': 'Source text',
      'translator.sourceIn': 'Source text ({lang})',
      'translator.output': 'Translation',
      'translator.outputIn': 'Translation ({lang})',
      'translator.placeholder': 'Type or paste the text to translate…',
      'translator.outputPlaceholder': 'The translation appears here.',
      'translator.translate': 'Translate',
      'translator.translating': 'Translating…',
      'translator.clear': 'Clear',
      'translator.copy': 'Copy',
      'translator.copied': 'Copied to the clipboard.',
      'translator.copyFailed': 'Copying failed; select the text and copy it by hand.',
      'translator.live': 'Translate as you type',
      'translator.shortcut': 'Ctrl/⌘ + Enter to translate',
      'translator.swap': 'Swap languages',
      'translator.empty': 'Enter some text to translate.',
      'translator.counter': '{n} / {limit}',
      'translator.counterNoLimit': '{n} characters',
      'translator.tooLongLocal': 'The text is too long: at most {limit} characters per request (now {n}).',
      'translator.done': 'Translated {n} characters.',

      'usage.today': "Today's usage",
      'usage.requests': 'Requests: {used} / {limit}',
      'usage.requestsNoLimit': 'Requests: {used} (no limit)',
      'usage.characters': 'Characters: {used} / {limit}',
      'usage.charactersNoLimit': 'Characters: {used} (no limit)',
      'usage.resets': 'Resets {time}',

      'error.network': 'Cannot reach the server. Check your connection and try again.',
      'error.busyRetrying': 'The service is busy, retrying… (attempt {attempt} of {max})',
      'error.busyGaveUp': 'The service is still busy. Please try again in a little while.',
      'error.quotaRequests': 'Daily request quota reached. It resets at {time}.',
      'error.quotaCharacters': 'Daily character quota reached. It resets at {time}.',
      'error.quotaOther': 'Too many requests: {message}',
      'error.tooLong': 'The text is too long: at most {limit} characters per request.',
      'error.tooLongServer': 'The text is too long: {message}',
      'error.badRequest': 'The request was rejected: {message}',
      'error.notFound': 'Not found: {message}',
      'error.conflict': 'Conflict: {message}',
      'error.server': 'The server had a problem ({code}). Please try again.',
      'error.generic': 'Something went wrong: {message}',

      'admin.title': 'Admin console',
      'admin.role.operator': 'Operator: every tenant',
      'admin.role.tenantAdmin': 'Tenant admin: {id} only',
      'admin.refresh': 'Refresh',
      'admin.tenants': 'Tenants',
      'admin.usageDate': 'Usage of {date} (resets {time})',
      'admin.noTenants': 'No tenants yet.',
      'admin.col.id': 'ID',
      'admin.col.name': 'Name',
      'admin.col.status': 'Status',
      'admin.col.scopes': 'Scopes',
      'admin.col.requests': 'Requests today',
      'admin.col.characters': 'Characters today',
      'admin.engineTime': 'engine {seconds} s',
      'admin.col.limits': 'Scheduling and limits',
      'admin.col.ips': 'Allowed IPs',
      'admin.col.actions': 'Actions',
      'admin.col.keyId': 'Key id',
      'admin.col.prefix': 'Prefix',
      'admin.col.created': 'Created',
      'admin.col.lastUsed': 'Last used',
      'admin.col.expires': 'Expires',
      'admin.col.time': 'Time',
      'admin.col.tenant': 'Tenant',
      'admin.col.request': 'Request',
      'admin.col.httpStatus': 'HTTP',
      'admin.col.latency': 'Latency',
      'admin.col.chars': 'Chars',
      'admin.col.action': 'Action / error',
      'admin.col.client': 'Client',
      'admin.enabled': 'Enabled',
      'admin.disabled': 'Disabled',
      'admin.anyIP': 'any',
      'admin.unlimited': 'unlimited',
      'admin.never': 'never',
      'admin.usedOf': '{used} / {limit}',
      'admin.edit': 'Edit',
      'admin.editLabel': 'Edit tenant {id}',
      'admin.keysButton': 'Keys',
      'admin.keysLabel': 'API keys of tenant {id}',
      'admin.enable': 'Enable',
      'admin.disable': 'Disable',
      'admin.enableLabel': 'Enable tenant {id}',
      'admin.disableLabel': 'Disable tenant {id}',
      'admin.createTenant': 'Create tenant',
      'admin.createTenantSubmit': 'Create tenant',
      'admin.editTenant': 'Edit tenant {id}',
      'admin.saveTenant': 'Save changes',
      'admin.cancelEdit': 'Cancel',
      'admin.field.id': 'Tenant id',
      'admin.field.idHint': '3–64 of a–z, 0–9 and _',
      'admin.field.name': 'Display name',
      'admin.field.scopes': 'Scopes',
      'admin.field.dailyRequests': 'Daily requests',
      'admin.field.dailyCharacters': 'Daily characters',
      'admin.field.quotaHint': 'Empty = unlimited',
      'admin.field.ips': 'Allowed IPs (CIDR, one per line; empty = any)',
      'admin.field.enabled': 'Enabled',
      'admin.field.expires': 'Expires in days (empty = the server default, 365)',
      'admin.field.limits': 'Scheduling and rate limits',
      'admin.field.limitsHint': 'Empty = server default. Weight (1–100) is the tenant’s share of the service when it is busy; the other fields take a whole number ≥ 1 or “unlimited” (not burst).',
      'admin.field.weight': 'Weight (1–100)',
      'admin.field.rps': 'Requests per second',
      'admin.field.burst': 'Burst (requests)',
      'admin.field.cpm': 'Characters per minute',
      'admin.field.maxInFlight': 'Requests in flight',
      'admin.field.maxQueued': 'Queued sentences',
      'admin.field.default': 'default ({value})',
      'admin.invalidId': 'The tenant id must be 3–64 characters of a–z, 0–9 and _.',
      'admin.invalidName': 'Enter a display name.',
      'admin.invalidNumber': 'Quotas and expiry must be whole numbers ≥ 0 (or empty).',
      'admin.invalidWeight': 'Weight must be a whole number from 1 to 100 (or empty for the server default).',
      'admin.invalidLimit': '{field} must be a whole number from 1 to {max} or “unlimited” (or empty for the server default).',
      'admin.invalidLimitFinite': '{field} must be a whole number from 1 to {max} (or empty for the server default).',
      'admin.limits.weight': 'weight {value}',
      'admin.limits.rps': '{value} req/s',
      'admin.limits.rpsUnlimited': 'unlimited req/s',
      'admin.limits.burst': '(burst {value})',
      'admin.limits.cpm': '{value} chars/min',
      'admin.limits.cpmUnlimited': 'unlimited chars/min',
      'admin.limits.inFlight': '{value} in flight',
      'admin.limits.inFlightUnlimited': 'unlimited in flight',
      'admin.limits.queued': '{value} queued',
      'admin.limits.queuedUnlimited': 'unlimited queued',
      'admin.limits.override': 'Set for this tenant (server default: {value})',
      'admin.tenantCreated': 'Tenant {id} created.',
      'admin.tenantSaved': 'Tenant {id} saved.',
      'admin.tenantEnabled': 'Tenant {id} enabled.',
      'admin.tenantDisabled': 'Tenant {id} disabled.',
      'admin.keys': 'API keys',
      'admin.keysPick': 'Choose “Keys” on a tenant to manage its API keys.',
      'admin.keysFor': 'Keys of tenant',
      'admin.noKeys': 'This tenant has no keys yet.',
      'admin.createKey': 'Create key',
      'admin.keyCreated': 'Key {id} created.',
      'admin.newKey': 'New API key',
      'admin.newKeyNote': 'Store this key now: it is not shown again.',
      'admin.done': 'Done',
      'admin.revoke': 'Revoke',
      'admin.revokeLabel': 'Revoke key {id}',
      'admin.revokeConfirm': 'Revoke key {id}? Clients using it stop working at once.',
      'admin.keyRevoked': 'Key {id} revoked.',
      'admin.keyActive': 'Active',
      'admin.keyRevokedState': 'Revoked',
      'admin.keyExpired': 'Expired',
      'admin.audit': 'Recent audit events',
      'admin.auditTenant': 'Tenant filter',
      'admin.auditAll': 'all tenants',
      'admin.auditShow': 'Show events',
      'admin.noEvents': 'No events.',
      'admin.cache': 'cache: {value}'
    },

    zh: {
      'app.title': 'csanmt 翻译',
      'app.subtitle': '中英机器翻译',
      'app.loading': '正在加载…',
      'app.footer': 'csanmt · 机器翻译，重要内容请人工审核。',
      'app.apiDocs': 'API 说明（OpenAPI）',
      'nav.skip': '跳到主要内容',
      'nav.label': '主导航',
      'nav.translator': '翻译',
      'nav.admin': '管理控制台',
      'lang.select': '界面语言',
      'lang.zh': '中文',
      'lang.en': '英文',
      'session.signedInAs': '当前租户',
      'session.logout': '退出登录',
      'session.operator': '{name}（运维人员）',

      'login.title': '登录',
      'login.intro': '请输入租户 ID 和 API 密钥，或运维人员 ID 和运维密钥（cso_…）。密钥仅用于换取会话令牌，本页面不会保存它。',
      'login.tenant': '租户或运维人员 ID',
      'login.key': 'API 密钥',
      'login.submit': '登录',
      'login.submitting': '正在登录…',
      'login.missing': '请填写 ID 和密钥。',
      'login.invalid': 'ID 或密钥不正确，请检查后重试。',
      'login.refused': '登录被拒绝：{message}',
      'login.sessionExpired': '会话已过期，请重新登录。',
      'login.accessDenied': '访问被拒绝（{message}），请重新登录。',
      'login.signedOut': '您已退出登录。',

      'translator.title': '翻译',
      'translator.source': '原文',
      'translator.sourceIn': '原文（{lang}）',
      'translator.output': '译文',
      'translator.outputIn': '译文（{lang}）',
      'translator.placeholder': '输入或粘贴要翻译的文本…',
      'translator.outputPlaceholder': '译文将显示在这里。',
      'translator.translate': '翻译',
      'translator.translating': '正在翻译…',
      'translator.clear': '清空',
      'translator.copy': '复制',
      'translator.copied': '已复制到剪贴板。',
      'translator.copyFailed': '复制失败，请手动选择文本复制。',
      'translator.live': '输入时自动翻译',
      'translator.shortcut': '按 Ctrl/⌘ + Enter 翻译',
      'translator.swap': '交换语言',
      'translator.empty': '请输入要翻译的文本。',
      'translator.counter': '{n} / {limit}',
      'translator.counterNoLimit': '{n} 个字符',
      'translator.tooLongLocal': '文本过长：每次最多 {limit} 个字符（当前 {n} 个）。',
      'translator.done': '已翻译 {n} 个字符。',

      'usage.today': '今日用量',
      'usage.requests': '请求：{used} / {limit}',
      'usage.requestsNoLimit': '请求：{used}（不限）',
      'usage.characters': '字符：{used} / {limit}',
      'usage.charactersNoLimit': '字符：{used}（不限）',
      'usage.resets': '重置时间 {time}',

      'error.network': '无法连接服务器，请检查网络后重试。',
      'error.busyRetrying': '服务繁忙，正在重试…（第 {attempt} 次，共 {max} 次）',
      'error.busyGaveUp': '服务仍然繁忙，请稍后再试。',
      'error.quotaRequests': '已达到每日请求配额，将于 {time} 重置。',
      'error.quotaCharacters': '已达到每日字符配额，将于 {time} 重置。',
      'error.quotaOther': '请求过多：{message}',
      'error.tooLong': '文本过长：每次最多 {limit} 个字符。',
      'error.tooLongServer': '文本过长：{message}',
      'error.badRequest': '请求被拒绝：{message}',
      'error.notFound': '未找到：{message}',
      'error.conflict': '冲突：{message}',
      'error.server': '服务器出现问题（{code}），请重试。',
      'error.generic': '出现错误：{message}',

      'admin.title': '管理控制台',
      'admin.role.operator': '运维人员：全部租户',
      'admin.role.tenantAdmin': '租户管理员：仅 {id}',
      'admin.refresh': '刷新',
      'admin.tenants': '租户',
      'admin.usageDate': '{date} 的用量（{time} 重置）',
      'admin.noTenants': '暂无租户。',
      'admin.col.id': 'ID',
      'admin.col.name': '名称',
      'admin.col.status': '状态',
      'admin.col.scopes': '权限范围',
      'admin.col.requests': '今日请求',
      'admin.col.characters': '今日字符',
      'admin.engineTime': '引擎 {seconds} 秒',
      'admin.col.limits': '调度与限流',
      'admin.col.ips': '允许的 IP',
      'admin.col.actions': '操作',
      'admin.col.keyId': '密钥 ID',
      'admin.col.prefix': '前缀',
      'admin.col.created': '创建时间',
      'admin.col.lastUsed': '最近使用',
      'admin.col.expires': '过期时间',
      'admin.col.time': '时间',
      'admin.col.tenant': '租户',
      'admin.col.request': '请求',
      'admin.col.httpStatus': 'HTTP',
      'admin.col.latency': '耗时',
      'admin.col.chars': '字符',
      'admin.col.action': '操作 / 错误',
      'admin.col.client': '客户端',
      'admin.enabled': '已启用',
      'admin.disabled': '已停用',
      'admin.anyIP': '任意',
      'admin.unlimited': '不限',
      'admin.never': '永不',
      'admin.usedOf': '{used} / {limit}',
      'admin.edit': '编辑',
      'admin.editLabel': '编辑租户 {id}',
      'admin.keysButton': '密钥',
      'admin.keysLabel': '租户 {id} 的 API 密钥',
      'admin.enable': '启用',
      'admin.disable': '停用',
      'admin.enableLabel': '启用租户 {id}',
      'admin.disableLabel': '停用租户 {id}',
      'admin.createTenant': '新建租户',
      'admin.createTenantSubmit': '创建租户',
      'admin.editTenant': '编辑租户 {id}',
      'admin.saveTenant': '保存修改',
      'admin.cancelEdit': '取消',
      'admin.field.id': '租户 ID',
      'admin.field.idHint': '3–64 个字符：a–z、0–9 和 _',
      'admin.field.name': '显示名称',
      'admin.field.scopes': '权限范围',
      'admin.field.dailyRequests': '每日请求数',
      'admin.field.dailyCharacters': '每日字符数',
      'admin.field.quotaHint': '留空表示不限',
      'admin.field.ips': '允许的 IP（CIDR，每行一个；留空表示任意）',
      'admin.field.enabled': '已启用',
      'admin.field.expires': '有效天数（留空为服务器默认值，365 天）',
      'admin.field.limits': '调度与限流',
      'admin.field.limitsHint': '留空表示使用服务器默认值。权重（1–100）决定服务繁忙时该租户所占的份额；其他字段填写不小于 1 的整数，或填写“unlimited”（不限，突发上限除外）。',
      'admin.field.weight': '权重（1–100）',
      'admin.field.rps': '每秒请求数',
      'admin.field.burst': '突发上限（请求数）',
      'admin.field.cpm': '每分钟字符数',
      'admin.field.maxInFlight': '并发请求数',
      'admin.field.maxQueued': '排队句子数',
      'admin.field.default': '默认（{value}）',
      'admin.invalidId': '租户 ID 须为 3–64 个字符，只能包含 a–z、0–9 和 _。',
      'admin.invalidName': '请填写显示名称。',
      'admin.invalidNumber': '配额和有效天数必须是不小于 0 的整数（或留空）。',
      'admin.invalidWeight': '权重必须是 1 到 100 之间的整数（或留空，使用服务器默认值）。',
      'admin.invalidLimit': '{field}必须是 1 到 {max} 之间的整数或“unlimited”（或留空，使用服务器默认值）。',
      'admin.invalidLimitFinite': '{field}必须是 1 到 {max} 之间的整数（或留空，使用服务器默认值）。',
      'admin.limits.weight': '权重 {value}',
      'admin.limits.rps': '{value} 请求/秒',
      'admin.limits.rpsUnlimited': '请求/秒不限',
      'admin.limits.burst': '（突发 {value}）',
      'admin.limits.cpm': '{value} 字符/分钟',
      'admin.limits.cpmUnlimited': '字符/分钟不限',
      'admin.limits.inFlight': '并发 {value}',
      'admin.limits.inFlightUnlimited': '并发不限',
      'admin.limits.queued': '排队 {value}',
      'admin.limits.queuedUnlimited': '排队不限',
      'admin.limits.override': '该租户单独设置（服务器默认值：{value}）',
      'admin.tenantCreated': '已创建租户 {id}。',
      'admin.tenantSaved': '已保存租户 {id}。',
      'admin.tenantEnabled': '已启用租户 {id}。',
      'admin.tenantDisabled': '已停用租户 {id}。',
      'admin.keys': 'API 密钥',
      'admin.keysPick': '在租户列表中点击“密钥”以管理其 API 密钥。',
      'admin.keysFor': '租户的密钥：',
      'admin.noKeys': '该租户还没有密钥。',
      'admin.createKey': '创建密钥',
      'admin.keyCreated': '已创建密钥 {id}。',
      'admin.newKey': '新的 API 密钥',
      'admin.newKeyNote': '请立即保存此密钥：它不会再次显示。',
      'admin.done': '完成',
      'admin.revoke': '吊销',
      'admin.revokeLabel': '吊销密钥 {id}',
      'admin.revokeConfirm': '确定吊销密钥 {id}？使用它的客户端将立即失效。',
      'admin.keyRevoked': '已吊销密钥 {id}。',
      'admin.keyActive': '有效',
      'admin.keyRevokedState': '已吊销',
      'admin.keyExpired': '已过期',
      'admin.audit': '最近审计事件',
      'admin.auditTenant': '按租户筛选',
      'admin.auditAll': '全部租户',
      'admin.auditShow': '显示事件',
      'admin.noEvents': '没有事件。',
      'admin.cache': '缓存：{value}'
    }
  };

  const SUPPORTED = Object.keys(MESSAGES);
  const listeners = [];
  let current = pickInitialLanguage();

  /** The saved choice, else the browser's language (zh-* → zh), else English. */
  function pickInitialLanguage() {
    let saved = null;
    try { saved = window.localStorage.getItem(STORAGE_KEY); } catch (e) { /* storage blocked: ignore */ }
    if (saved && SUPPORTED.includes(saved)) return saved;
    const browser = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
    return browser.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }

  /** Formats an ISO-8601 time in the current language and the user's time zone. */
  function formatTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return d.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB',
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  /** Formats a number with grouping for the current language. */
  function formatNumber(n) {
    return typeof n === 'number' ? n.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-US') : String(n);
  }

  /**
   * The text for key with {placeholders} filled from args. An argument given as {time: iso} is formatted as a
   * local time, {lang: code} as a language name, {text: key} as that key's text, and numbers get digit grouping.
   */
  function t(key, args) {
    const table = MESSAGES[current] || MESSAGES.en;
    let text = table[key] !== undefined ? table[key] : (MESSAGES.en[key] !== undefined ? MESSAGES.en[key] : key);
    if (args) {
      text = text.replace(/\{(\w+)\}/g, function (match, name) {
        if (!(name in args)) return match;
        const v = args[name];
        if (v && typeof v === 'object' && 'time' in v) return formatTime(v.time);
        if (v && typeof v === 'object' && 'lang' in v) return languageName(v.lang);
        if (v && typeof v === 'object' && 'text' in v) return t(v.text);
        if (typeof v === 'number') return formatNumber(v);
        return String(v);
      });
    }
    return text;
  }

  /** "Chinese" / "中文" for "zh"; the code itself for languages without a name here. */
  function languageName(code) {
    const key = 'lang.' + code;
    return (MESSAGES[current][key] || MESSAGES.en[key] || code);
  }

  /** Fills data-i18n texts and data-i18n-attr attributes under root (default: the whole document). */
  function apply(root) {
    const scope = root || document;
    if (!root) document.title = t('app.title');
    const withText = scope.querySelectorAll('[data-i18n]');
    if (root && root.matches && root.matches('[data-i18n]')) fill(root);
    withText.forEach(fill);
    const withAttrs = scope.querySelectorAll('[data-i18n-attr]');
    withAttrs.forEach(function (el) {
      el.getAttribute('data-i18n-attr').split(';').forEach(function (pair) {
        const [attr, key] = pair.split(':').map(function (s) { return s.trim(); });
        if (attr && key) el.setAttribute(attr, t(key));
      });
    });
  }

  function fill(el) {
    let args;
    const raw = el.getAttribute('data-i18n-args');
    if (raw) { try { args = JSON.parse(raw); } catch (e) { args = undefined; } }
    el.textContent = t(el.getAttribute('data-i18n'), args);
  }

  /** Gives el the text of key (and remembers key and args, so a language switch re-translates it). */
  function setText(el, key, args) {
    el.setAttribute('data-i18n', key);
    if (args) el.setAttribute('data-i18n-args', JSON.stringify(args));
    else el.removeAttribute('data-i18n-args');
    fill(el);
  }

  function setLanguage(lang) {
    if (!SUPPORTED.includes(lang)) return;
    current = lang;
    try { window.localStorage.setItem(STORAGE_KEY, lang); } catch (e) { /* ignore */ }
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    apply();
    listeners.forEach(function (fn) { fn(lang); });
  }

  /**
   * A status line and an error line of one view, shown one at a time. Messages are i18n keys (re-rendered when the
   * language changes); errors are `{key, args}` objects from Api.describeError.
   */
  function notices(statusEl, errorEl) {
    return {
      status: function (key, args) { errorEl.hidden = true; setText(statusEl, key, args); statusEl.hidden = false; },
      error: function (message) { statusEl.hidden = true; setText(errorEl, message.key, message.args); errorEl.hidden = false; },
      hide: function () { statusEl.hidden = true; errorEl.hidden = true; }
    };
  }

  window.I18N = {
    notices: notices,
    t: t,
    apply: apply,
    setText: setText,
    setLanguage: setLanguage,
    formatTime: formatTime,
    formatNumber: formatNumber,
    languageName: languageName,
    get language() { return current; },
    onChange: function (fn) { listeners.push(fn); }
  };
})();
