// Reelay's dashboard: plain JavaScript, no build step. Every value from a recording or a receiver is
// put on the page as text (textContent, never innerHTML), and the page runs under a
// Content-Security-Policy with no inline script. Each page reads the JSON API under api/.
'use strict';

(function () {
  const state = { csrf: null, session: null, timer: null, live: null, charts: [] };
  window.reelayCspViolations = 0;
  document.addEventListener('securitypolicyviolation', () => { window.reelayCspViolations++; });

  // ---- DOM helpers: text only

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = String(v);
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const main = () => document.getElementById('main');

  function show(...nodes) {
    stopTimers();
    main().replaceChildren(...nodes);
  }

  function notice(text, error) {
    const n = document.getElementById('notice');
    if (!text) { n.hidden = true; n.textContent = ''; return; }
    n.hidden = false;
    n.className = error ? 'error' : '';
    n.textContent = text;
  }

  function stopTimers() {
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
    if (state.live) { state.live.close(); state.live = null; }
    state.charts.forEach(c => c.destroy());
    state.charts = [];
  }

  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return d.toLocaleString();
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined || seconds < 0) return 'none waiting';
    if (seconds < 90) return seconds + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' days';
  }

  function bytes(n) {
    if (!n) return '0 B';
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    if (n < 1073741824) return (n / 1048576).toFixed(1) + ' MiB';
    return (n / 1073741824).toFixed(2) + ' GiB';
  }

  function badge(cls, text) {
    return el('span', { class: 'badge ' + cls, text: text });
  }

  // ---- the API

  async function api(path, options) {
    const response = await fetch('api/' + path, Object.assign({ credentials: 'same-origin' }, options || {}));
    let body = null;
    const type = response.headers.get('content-type') || '';
    if (type.startsWith('application/json')) body = await response.json();
    if (response.status === 401) {
      notice('The session ended: open the dashboard again with its access token.', true);
      throw new Error('unauthorized');
    }
    if (!response.ok) {
      throw new Error(body && body.error ? body.error : 'HTTP ' + response.status);
    }
    return body;
  }

  function post(path, body) {
    return api(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Reelay-CSRF': state.csrf || '' },
      body: JSON.stringify(body || {})
    });
  }

  // ---- routing

  function route() {
    const hash = location.hash || '#/';
    const [path, query] = hash.substring(1).split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean);
    document.querySelectorAll('header nav a').forEach(a => a.classList.remove('active'));
    const nav = parts[0] === 'recordings' ? 'recordings' : parts[0] === 'live' ? 'live'
      : parts[0] === 'test' ? 'test' : 'overview';
    const link = document.querySelector('header nav a[data-nav="' + nav + '"]');
    if (link) link.classList.add('active');
    notice(null);
    if (parts[0] === 'recordings' && parts[1]) return recording(parts[1]);
    if (parts[0] === 'recordings') return recordings(params);
    if (parts[0] === 'live') return live();
    if (parts[0] === 'test') return testWebhook();
    return overview();
  }

  // ---- overview

  const COUNTS = [
    ['in-flight', 'in flight', ''], ['completed', 'completed', 'good'], ['partial', 'partial', 'warn'],
    ['webhook-failed', 'webhook failed', 'warn'], ['upload-failed', 'upload failed', 'bad'],
    ['pending', 'pending', 'warn'], ['parked', 'parked', 'warn'], ['gave-up', 'gave up', 'bad'],
    ['rejected', 'rejected', 'bad']
  ];

  async function overview() {
    const o = await api('overview');
    const cards = el('div', { class: 'cards', id: 'counts' },
      COUNTS.map(([key, label, cls]) => el('a', { class: 'card ' + (o.counts[key] ? cls : ''),
        href: '#/recordings?state=' + key, 'data-count': key },
        el('div', { class: 'n', text: o.counts[key] }), el('div', { class: 'label', text: label }))),
      el('div', { class: 'card', 'data-count': 'backlog-age' },
        el('div', { class: 'n', text: age(o.backlogAgeSeconds) }),
        el('div', { class: 'label', text: 'oldest waiting' })));
    const throughput = el('div', { class: 'panel', id: 'chart-throughput' }, el('h2', { text: 'Uploads (MiB/s)' }));
    const deliveries = el('div', { class: 'panel', id: 'chart-webhooks' }, el('h2', { text: 'Webhook requests per minute' }));
    show(el('h1', { text: 'Overview' }), cards,
      el('h2', { text: 'The last ' + hours(o) }),
      el('div', { class: 'charts' }, throughput, deliveries),
      el('h2', { text: 'Endpoints' }), endpointTable(o.endpoints),
      el('p', { class: 'muted', text: 'Read in ' + o.readInMs + ' ms at ' + when(o.now) }));
    charts(o, throughput, deliveries);
    state.timer = setTimeout(() => { if (location.hash === '' || location.hash === '#/') route(); }, 15000);
  }

  function hours(o) {
    const h = (new Date(o.now) - new Date(o.since)) / 3600000;
    return h === 1 ? 'hour' : h + ' hours';
  }

  function charts(o, throughput, deliveries) {
    if (typeof uPlot === 'undefined') return;
    const end = Math.floor(new Date(o.now).getTime() / 60000) * 60;
    const start = Math.floor(new Date(o.since).getTime() / 60000) * 60;
    const byMinute = new Map(o.activity.map(a => [a.minute, a]));
    const xs = [], mib = [], taken = [], failed = [];
    for (let t = start; t <= end; t += 60) {
      const a = byMinute.get(t);
      xs.push(t);
      mib.push(a ? a.mibPerSecond : 0);
      taken.push(a ? a.webhooksTaken : 0);
      failed.push(a ? a.webhooksFailed : 0);
    }
    const width = Math.max(360, throughput.clientWidth - 24);
    state.charts.push(new uPlot({ width: width, height: 220, series: [{},
      { label: 'MiB/s', stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.12)' }],
      axes: [{}, { size: 50 }], legend: { show: true } }, [xs, mib], throughput));
    state.charts.push(new uPlot({ width: width, height: 220, series: [{},
      { label: 'taken (2xx)', stroke: '#2f855a' }, { label: 'failed', stroke: '#c53030' }],
      axes: [{}, { size: 40 }] }, [xs, taken, failed], deliveries));
  }

  function endpointTable(endpoints) {
    if (!endpoints.length) return el('p', { class: 'muted', text: 'This pipeline has no webhook endpoint.' });
    return el('table', { id: 'endpoints' },
      el('thead', {}, el('tr', {}, ['endpoint', 'requests', 'success', 'last success', 'last failure', 'state', '']
        .map(h => el('th', { text: h })))),
      el('tbody', {}, endpoints.map(e => el('tr', { 'data-endpoint': e.name },
        el('td', {}, el('strong', { text: e.name }), e.url && e.url !== e.name ? el('div', { class: 'muted', text: e.url }) : null,
          e.configured ? null : el('div', { class: 'muted', text: '(not configured in this pipeline)' })),
        el('td', { class: 'num', text: e.attempts }),
        el('td', { class: 'num', text: e.successRate === null ? '–' : Math.round(e.successRate * 100) + ' %' }),
        el('td', { text: when(e.lastSuccessAt) }),
        el('td', {}, e.lastFailureAt ? el('div', { text: when(e.lastFailureAt) }) : null,
          e.lastFailure ? el('div', { class: 'answer', text: e.lastFailure }) : null),
        el('td', {}, e.disabled ? badge('GONE', 'disabled (410)') : badge('SUCCEEDED', 'enabled'),
          e.disabledReason ? el('div', { class: 'muted', text: e.disabledReason }) : null),
        el('td', {}, e.disabled ? enableButton(e.name, overview) : null)))));
  }

  function enableButton(name, after) {
    return el('button', { class: 'secondary', 'data-action': 'enable', 'data-endpoint': name, text: 'Enable ' + name,
      onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await post('endpoints/enable', { endpoint: name });
          notice('Endpoint ' + name + ' is enabled again.');
          after();
        } catch (e) { notice(e.message, true); ev.target.disabled = false; }
      } });
  }

  // ---- recordings

  async function recordings(params) {
    const session = state.session;
    const form = el('form', { class: 'filters', id: 'filters' },
      el('label', {}, 'State', el('select', { name: 'state' }, el('option', { value: '', text: 'any' }),
        COUNTS.map(([key, label]) => el('option', { value: key, text: label, selected: params.get('state') === key })))),
      el('label', {}, 'Endpoint', el('select', { name: 'endpoint' }, el('option', { value: '', text: 'any' }),
        session.endpoints.map(e => el('option', { value: e.name, text: e.name, selected: params.get('endpoint') === e.name })))),
      el('label', {}, 'Id, title or email', el('input', { name: 'q', value: params.get('q') || '', size: 28 })),
      el('button', { type: 'submit', text: 'Filter' }));
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form).entries()) if (v) q.set(k, v);
      location.hash = '#/recordings' + (q.toString() ? '?' + q : '');
    });
    const query = new URLSearchParams();
    for (const k of ['state', 'endpoint', 'q', 'after']) if (params.get(k)) query.set(k, params.get(k));
    query.set('limit', '50');
    const page = await api('recordings?' + query);
    const rows = page.items.map(r => el('tr', { 'data-id': r.id },
      el('td', { class: 'num' }, el('a', { href: '#/recordings/' + r.id, text: r.id })),
      el('td', { class: 'title', text: r.title }),
      el('td', { text: r.email }),
      el('td', {}, badge(r.state, r.stateLabel)),
      el('td', { class: 'num', text: r.attempts }),
      el('td', { text: when(r.acceptedAt) }),
      el('td', {}, r.deliveries.map(d => el('div', {}, badge(d.state, d.endpoint + ' ' + (d.statusCode || d.state)))))));
    const pager = el('div', { class: 'pager' });
    if (params.get('after')) {
      pager.append(el('button', { class: 'secondary', text: 'Newest', onclick: () => {
        params.delete('after'); location.hash = '#/recordings?' + params; } }));
    }
    if (page.next) {
      pager.append(el('button', { class: 'secondary', id: 'next-page', text: 'Older →', onclick: () => {
        params.set('after', page.next); location.hash = '#/recordings?' + params; } }));
    }
    show(el('h1', { text: 'Recordings' }), form,
      rows.length ? el('table', { id: 'recordings' },
        el('thead', {}, el('tr', {}, ['id', 'title', 'email', 'state', 'runs', 'accepted', 'deliveries']
          .map(h => el('th', { text: h })))), el('tbody', {}, rows))
        : el('p', { class: 'muted', text: 'No recording matches.' }), pager);
  }

  // ---- one recording

  async function recording(id) {
    let r;
    try {
      r = await api('recordings/' + encodeURIComponent(id));
    } catch (e) {
      show(el('h1', { text: 'Recording ' + id }), el('p', { class: 'muted', text: e.message }));
      return;
    }
    const actions = el('div', { class: 'actions' },
      el('button', { id: 'retry', 'data-action': 'retry', text: 'Retry (what is left)',
        disabled: r.journalState === 'IN_PROGRESS',
        onclick: ev => act(ev, id, 'retry', {}, 'Retry') }),
      r.endpoints.map(e => el('button', { class: 'secondary', 'data-action': 'resend', 'data-endpoint': e.name,
        text: 'Resend to ' + e.name, disabled: r.journalState === 'IN_PROGRESS',
        onclick: ev => act(ev, id, 'resend', { endpoint: e.name }, 'Resend to ' + e.name) })),
      r.endpoints.filter(e => e.disabled).map(e => enableButton(e.name, () => recording(id))));
    const files = el('table', { id: 'files' },
      el('thead', {}, el('tr', {}, ['file', 'role', 'size', 'requests', 'URL or error'].map(h => el('th', { text: h })))),
      el('tbody', {}, r.fileList.map(f => el('tr', { 'data-file': f.name },
        el('td', { text: f.name }), el('td', { text: f.role }), el('td', { class: 'num', text: bytes(f.size) }),
        el('td', { class: 'num', text: f.requests }),
        el('td', {}, f.stored ? (f.url ? el('a', { href: f.url, rel: 'noreferrer noopener', target: '_blank', text: f.url }) : 'stored')
          : el('span', { class: 'answer', text: f.error || 'not stored' }))))));
    const deliveries = r.deliveryList.length ? el('table', { id: 'deliveries' },
      el('thead', {}, el('tr', {}, ['endpoint', 'state', 'status', 'requests', 'webhook-id', 'answer'].map(h => el('th', { text: h })))),
      el('tbody', {}, r.deliveryList.map(d => el('tr', { 'data-endpoint': d.endpoint },
        el('td', { text: d.endpoint }), el('td', {}, badge(d.state, d.state)), el('td', { class: 'num', text: d.statusCode || '–' }),
        el('td', { class: 'num', text: d.attempts }), el('td', { class: 'answer', text: d.webhookId }),
        el('td', { class: 'answer', text: d.reply && d.reply.message ? d.reply.message : (d.error || '') })))))
      : el('p', { class: 'muted', text: 'No delivery yet.' });
    show(
      el('h1', {}, 'Recording ', el('span', { id: 'recording-id', text: r.id }), ': ', el('span', { id: 'title', text: r.title })),
      el('dl', { class: 'kv' },
        el('dt', { text: 'state' }), el('dd', {}, el('span', { id: 'state', class: 'badge ' + r.state, 'data-state': r.state, text: r.stateLabel })),
        el('dt', { text: 'reason' }), el('dd', { id: 'reason', class: 'answer', text: r.reason || '' }),
        el('dt', { text: 'user' }), el('dd', { text: (r.username || '') + ' <' + (r.email || '') + '>' }),
        el('dt', { text: 'created' }), el('dd', { text: when(r.createdAt) }),
        el('dt', { text: 'accepted' }), el('dd', { text: when(r.acceptedAt) }),
        el('dt', { text: 'runs' }), el('dd', { text: r.attempts }),
        el('dt', { text: 'next retry' }), el('dd', { text: r.nextAttemptAt ? when(r.nextAttemptAt) : 'only by hand' })),
      actions,
      el('h2', { text: 'Files' }), files,
      el('h2', { text: 'Deliveries' }), deliveries,
      el('h2', { text: 'Attempt log' }), attemptLog(r.attemptLog),
      el('h2', { text: 'Metadata as sent' }),
      r.metadata ? el('pre', { id: 'metadata', text: r.metadata }) : el('p', { class: 'muted', text: 'Not stored yet.' }));
    if (r.journalState === 'IN_PROGRESS') {
      state.timer = setTimeout(() => recording(id), 1000);
    }
  }

  async function act(ev, id, what, body, label) {
    document.querySelectorAll('.actions button').forEach(b => { b.disabled = true; });
    notice(label + ' of recording ' + id + ' started…');
    const follow = setInterval(() => refreshState(id), 1000);
    try {
      const answer = await post('recordings/' + encodeURIComponent(id) + '/' + what, body);
      notice(answer.done ? label + ': ' + answer.result.status + (answer.result.reason ? ' — ' + answer.result.reason : '')
        : label + ' is still running; this page follows it.');
    } catch (e) {
      notice(label + ' failed: ' + e.message, true);
    } finally {
      clearInterval(follow);
    }
    if (location.hash === '#/recordings/' + id) recording(id);
  }

  async function refreshState(id) {
    try {
      const r = await api('recordings/' + encodeURIComponent(id));
      const s = document.getElementById('state');
      if (s) { s.className = 'badge ' + r.state; s.dataset.state = r.state; s.textContent = r.stateLabel; }
    } catch (e) { /* the next refresh tells */ }
  }

  function attemptLog(attempts) {
    if (!attempts.length) return el('p', { class: 'muted', text: 'No attempt recorded.' });
    return el('table', { id: 'attempts' },
      el('thead', {}, el('tr', {}, ['when', 'what', 'to', '#', 'outcome', 'took', 'answer or error'].map(h => el('th', { text: h })))),
      el('tbody', {}, attempts.map(a => el('tr', { class: 'attempt', 'data-kind': a.kind, 'data-target': a.target,
        'data-outcome': a.outcome, 'data-status': a.statusCode },
        el('td', { text: when(a.startedAt) }),
        el('td', { text: a.kind === 'WEBHOOK' ? 'webhook' : 'upload' }),
        el('td', { text: a.target }),
        el('td', { class: 'num', text: a.number }),
        el('td', {}, badge(a.outcome, a.statusCode ? a.statusCode + ' ' + a.outcome.toLowerCase() : a.outcome.toLowerCase())),
        el('td', { class: 'num', text: a.durationMs + ' ms' }),
        el('td', {},
          a.answer ? el('div', { class: 'answer', text: a.answer }) : null,
          a.error ? el('div', { class: 'answer', text: a.error }) : null,
          a.kind === 'UPLOAD' ? el('div', { class: 'muted', text: bytes(a.bytes) + ' in ' + a.requests + ' request(s)' }) : null,
          Object.keys(a.requestHeaders).length ? el('details', {}, el('summary', { text: 'request headers' }),
            el('pre', { text: Object.entries(a.requestHeaders).map(([k, v]) => k + ': ' + v).join('\n') })) : null)))));
  }

  // ---- live

  function live() {
    const list = el('div', { id: 'live' }, el('p', { class: 'muted', text: 'Waiting for recordings in flight…' }));
    show(el('h1', { text: 'Live' }), el('p', { class: 'muted', text: 'Recordings in flight, with each file\u2019s upload, as it goes.' }), list);
    if (!state.session.live) {
      list.replaceChildren(el('p', { class: 'muted', text: 'The live view needs the pipeline\u2019s event stream, which this Reelay does not have.' }));
      return;
    }
    const source = new EventSource('api/live');
    state.live = source;
    source.addEventListener('snapshot', ev => renderLive(list, JSON.parse(ev.data)));
    source.onerror = () => { list.dataset.disconnected = 'true'; };
  }

  function renderLive(list, snapshot) {
    list.dataset.disconnected = '';
    if (!snapshot.recordings.length) {
      list.replaceChildren(el('p', { class: 'muted', text: 'No recording in flight.' }));
      return;
    }
    list.replaceChildren(...snapshot.recordings.map(r => el('div', { class: 'live-rec', 'data-id': r.id },
      el('div', {}, el('a', { href: '#/recordings/' + r.id, text: 'Recording ' + r.id }),
        r.title ? el('span', { class: 'muted', text: ' ' + r.title }) : null,
        el('span', { class: 'muted', text: ' — ' + r.stage })),
      r.files.map(f => el('div', { class: 'live-file' },
        el('span', { text: f.name }),
        el('progress', { 'data-file': f.name, max: f.total || 1, value: f.sent }),
        el('span', { class: 'muted', text: bytes(f.sent) + ' of ' + bytes(f.total) + (f.state !== 'uploading' ? ' ' + f.state : '') }))))));
  }

  // ---- test webhook

  function testWebhook() {
    const form = el('form', { class: 'filters', id: 'test-form' },
      el('label', {}, 'Endpoint', el('select', { name: 'endpoint' },
        state.session.endpoints.map(e => el('option', { value: e.name, text: e.name + (e.url !== e.name ? ' (' + e.url + ')' : '') })),
        el('option', { value: '', text: 'another URL…' }))),
      el('label', {}, 'or URL (public addresses only)', el('input', { name: 'url', size: 36, placeholder: 'https://' })),
      el('label', {}, 'User email the receiver knows', el('input', { name: 'email', size: 26, placeholder: 'test@example.com' })),
      el('label', {}, 'Username', el('input', { name: 'username', size: 12, placeholder: 'test' })),
      el('button', { type: 'submit', id: 'send-test', text: 'Send test webhook' }));
    const out = el('div', { id: 'test-result' });
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      const body = {};
      if (data.url) body.url = data.url; else if (data.endpoint) body.endpoint = data.endpoint;
      if (data.email) body.email = data.email;
      if (data.username) body.username = data.username;
      out.replaceChildren(el('p', { class: 'muted', text: 'Sending…' }));
      try {
        const t = await post('test-webhook', body);
        const a = t.attempt;
        out.replaceChildren(
          el('div', { class: 'banner', text: 'TEST PAYLOAD — recording 999, not a real recording' }),
          el('dl', { class: 'kv' },
            el('dt', { text: 'endpoint' }), el('dd', { text: t.endpoint }),
            el('dt', { text: 'outcome' }), el('dd', {}, badge(t.state, t.state), ' ',
              el('span', { id: 'test-status', text: a.statusCode ? 'HTTP ' + a.statusCode : a.outcome.toLowerCase() }),
              ' in ' + a.durationMs + ' ms'),
            el('dt', { text: 'error' }), el('dd', { class: 'answer', text: t.error || '' })),
          el('h2', { text: 'Request headers' }),
          el('pre', { text: Object.entries(a.requestHeaders).map(([k, v]) => k + ': ' + v).join('\n') }),
          el('h2', { text: 'Request body' }), el('pre', { id: 'test-body', text: t.body }),
          el('h2', { text: 'Answer' }), el('pre', { id: 'test-answer', text: a.answer || a.error || '(none)' }));
      } catch (e) {
        out.replaceChildren(el('p', { class: 'answer', text: 'Failed: ' + e.message }));
      }
    });
    show(el('h1', { text: 'Send a test webhook' }),
      el('p', { class: 'muted', text: 'Sends the original system\u2019s test payload (recording 999, marked as a test) once, with the headers, signature and token of a delivery, and shows what was sent and answered. Nothing is journaled.' }),
      form, out);
  }

  // ---- start

  async function start() {
    try {
      state.session = await api('session');
      state.csrf = state.session.csrfToken;
      document.getElementById('version').textContent = 'Reelay ' + state.session.version;
    } catch (e) {
      main().replaceChildren(el('p', { class: 'answer', text: e.message }));
      return;
    }
    window.addEventListener('hashchange', () => route().catch(e => notice(e.message, true)));
    route().catch(e => notice(e.message, true));
  }

  start();
})();
