/* chainbreak reporting portal. Plain JavaScript, no third-party code.
 * Contract: docs/CASES.md (POST /v1/reports, GET /v1/reports/status,
 * POST /v1/reports/withdraw-contact). Nothing is stored in the browser:
 * no cookie, no localStorage; the receipt code is only shown on screen. */
(function () {
  'use strict';

  var LANGS = ['en', 'es', 'fr', 'pt', 'fil', 'ar'];
  var RTL = { ar: true };
  var ASSETS = '/report/assets/';
  var RECEIPT_RE = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

  /* ISO 3166-1 alpha-2 codes; the English names are only a fallback for
   * browsers without Intl.DisplayNames (which gives names in the page's
   * language). */
  var COUNTRIES = {
  AD: 'Andorra', AE: 'United Arab Emirates', AF: 'Afghanistan', AG: 'Antigua and Barbuda', AI: 'Anguilla',
  AL: 'Albania', AM: 'Armenia', AO: 'Angola', AQ: 'Antarctica', AR: 'Argentina', AS: 'American Samoa',
  AT: 'Austria', AU: 'Australia', AW: 'Aruba', AX: 'Åland Islands', AZ: 'Azerbaijan',
  BA: 'Bosnia and Herzegovina', BB: 'Barbados', BD: 'Bangladesh', BE: 'Belgium', BF: 'Burkina Faso',
  BG: 'Bulgaria', BH: 'Bahrain', BI: 'Burundi', BJ: 'Benin', BL: 'Saint Barthélemy', BM: 'Bermuda',
  BN: 'Brunei Darussalam', BO: 'Bolivia', BQ: 'Bonaire, Sint Eustatius and Saba', BR: 'Brazil',
  BS: 'Bahamas', BT: 'Bhutan', BV: 'Bouvet Island', BW: 'Botswana', BY: 'Belarus', BZ: 'Belize',
  CA: 'Canada', CC: 'Cocos (Keeling) Islands', CD: 'Congo, The Democratic Republic of the',
  CF: 'Central African Republic', CG: 'Congo', CH: 'Switzerland', CI: 'Côte d\'Ivoire', CK: 'Cook Islands',
  CL: 'Chile', CM: 'Cameroon', CN: 'China', CO: 'Colombia', CR: 'Costa Rica', CU: 'Cuba', CV: 'Cabo Verde',
  CW: 'Curaçao', CX: 'Christmas Island', CY: 'Cyprus', CZ: 'Czechia', DE: 'Germany', DJ: 'Djibouti',
  DK: 'Denmark', DM: 'Dominica', DO: 'Dominican Republic', DZ: 'Algeria', EC: 'Ecuador', EE: 'Estonia',
  EG: 'Egypt', EH: 'Western Sahara', ER: 'Eritrea', ES: 'Spain', ET: 'Ethiopia', FI: 'Finland', FJ: 'Fiji',
  FK: 'Falkland Islands (Malvinas)', FM: 'Micronesia, Federated States of', FO: 'Faroe Islands',
  FR: 'France', GA: 'Gabon', GB: 'United Kingdom', GD: 'Grenada', GE: 'Georgia', GF: 'French Guiana',
  GG: 'Guernsey', GH: 'Ghana', GI: 'Gibraltar', GL: 'Greenland', GM: 'Gambia', GN: 'Guinea',
  GP: 'Guadeloupe', GQ: 'Equatorial Guinea', GR: 'Greece',
  GS: 'South Georgia and the South Sandwich Islands', GT: 'Guatemala', GU: 'Guam', GW: 'Guinea-Bissau',
  GY: 'Guyana', HK: 'Hong Kong', HM: 'Heard Island and McDonald Islands', HN: 'Honduras', HR: 'Croatia',
  HT: 'Haiti', HU: 'Hungary', ID: 'Indonesia', IE: 'Ireland', IL: 'Israel', IM: 'Isle of Man', IN: 'India',
  IO: 'British Indian Ocean Territory', IQ: 'Iraq', IR: 'Iran', IS: 'Iceland', IT: 'Italy', JE: 'Jersey',
  JM: 'Jamaica', JO: 'Jordan', JP: 'Japan', KE: 'Kenya', KG: 'Kyrgyzstan', KH: 'Cambodia', KI: 'Kiribati',
  KM: 'Comoros', KN: 'Saint Kitts and Nevis', KP: 'North Korea', KR: 'South Korea', KW: 'Kuwait',
  KY: 'Cayman Islands', KZ: 'Kazakhstan', LA: 'Laos', LB: 'Lebanon', LC: 'Saint Lucia', LI: 'Liechtenstein',
  LK: 'Sri Lanka', LR: 'Liberia', LS: 'Lesotho', LT: 'Lithuania', LU: 'Luxembourg', LV: 'Latvia',
  LY: 'Libya', MA: 'Morocco', MC: 'Monaco', MD: 'Moldova', ME: 'Montenegro',
  MF: 'Saint Martin (French part)', MG: 'Madagascar', MH: 'Marshall Islands', MK: 'North Macedonia',
  ML: 'Mali', MM: 'Myanmar', MN: 'Mongolia', MO: 'Macao', MP: 'Northern Mariana Islands', MQ: 'Martinique',
  MR: 'Mauritania', MS: 'Montserrat', MT: 'Malta', MU: 'Mauritius', MV: 'Maldives', MW: 'Malawi',
  MX: 'Mexico', MY: 'Malaysia', MZ: 'Mozambique', NA: 'Namibia', NC: 'New Caledonia', NE: 'Niger',
  NF: 'Norfolk Island', NG: 'Nigeria', NI: 'Nicaragua', NL: 'Netherlands', NO: 'Norway', NP: 'Nepal',
  NR: 'Nauru', NU: 'Niue', NZ: 'New Zealand', OM: 'Oman', PA: 'Panama', PE: 'Peru', PF: 'French Polynesia',
  PG: 'Papua New Guinea', PH: 'Philippines', PK: 'Pakistan', PL: 'Poland', PM: 'Saint Pierre and Miquelon',
  PN: 'Pitcairn', PR: 'Puerto Rico', PS: 'Palestine, State of', PT: 'Portugal', PW: 'Palau', PY: 'Paraguay',
  QA: 'Qatar', RE: 'Réunion', RO: 'Romania', RS: 'Serbia', RU: 'Russian Federation', RW: 'Rwanda',
  SA: 'Saudi Arabia', SB: 'Solomon Islands', SC: 'Seychelles', SD: 'Sudan', SE: 'Sweden', SG: 'Singapore',
  SH: 'Saint Helena, Ascension and Tristan da Cunha', SI: 'Slovenia', SJ: 'Svalbard and Jan Mayen',
  SK: 'Slovakia', SL: 'Sierra Leone', SM: 'San Marino', SN: 'Senegal', SO: 'Somalia', SR: 'Suriname',
  SS: 'South Sudan', ST: 'Sao Tome and Principe', SV: 'El Salvador', SX: 'Sint Maarten (Dutch part)',
  SY: 'Syria', SZ: 'Eswatini', TC: 'Turks and Caicos Islands', TD: 'Chad', TF: 'French Southern Territories',
  TG: 'Togo', TH: 'Thailand', TJ: 'Tajikistan', TK: 'Tokelau', TL: 'Timor-Leste', TM: 'Turkmenistan',
  TN: 'Tunisia', TO: 'Tonga', TR: 'Türkiye', TT: 'Trinidad and Tobago', TV: 'Tuvalu', TW: 'Taiwan',
  TZ: 'Tanzania', UA: 'Ukraine', UG: 'Uganda', UM: 'United States Minor Outlying Islands',
  US: 'United States', UY: 'Uruguay', UZ: 'Uzbekistan', VA: 'Holy See (Vatican City State)',
  VC: 'Saint Vincent and the Grenadines', VE: 'Venezuela', VG: 'Virgin Islands, British',
  VI: 'Virgin Islands, U.S.', VN: 'Vietnam', VU: 'Vanuatu', WF: 'Wallis and Futuna', WS: 'Samoa',
  YE: 'Yemen', YT: 'Mayotte', ZA: 'South Africa', ZM: 'Zambia', ZW: 'Zimbabwe'  };

  var lang = 'en';
  var dict = {};
  var fallback = {};
  var lastReceipt = '';

  function $(id) { return document.getElementById(id); }

  function normaliseLang(tag) {
    if (!tag) return null;
    var base = String(tag).toLowerCase().split(/[-_]/)[0];
    if (base === 'tl') base = 'fil';  /* Tagalog: Filipino is based on it */
    return LANGS.indexOf(base) >= 0 ? base : null;
  }

  /* ?lang=xx wins; then the language the server negotiated from
   * Accept-Language and wrote into <html lang> (the page ships with "en",
   * so a different supported value can only come from the server); then the
   * browser's own preferences; then English. */
  function chooseLang() {
    var q = normaliseLang(new URLSearchParams(window.location.search).get('lang'));
    if (q) return q;
    var served = normaliseLang(document.documentElement.getAttribute('lang'));
    if (served && served !== 'en') return served;
    var prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < prefs.length; i++) {
      var l = normaliseLang(prefs[i]);
      if (l) return l;
    }
    return served || 'en';
  }

  function t(key, vars) {
    var s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key]
      : Object.prototype.hasOwnProperty.call(fallback, key) ? fallback[key] : key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return s;
  }

  function loadDict(l) {
    return fetch(ASSETS + 'i18n/' + l + '.json', { credentials: 'omit', cache: 'no-cache' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .catch(function () { return {}; });
  }

  function applyTranslations() {
    var root = document.documentElement;
    root.setAttribute('lang', lang);
    root.setAttribute('dir', RTL[lang] ? 'rtl' : 'ltr');
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) {
      var key = nodes[i].getAttribute('data-i18n');
      var text = t(key);
      if (text !== key) nodes[i].textContent = text;
    }
    $('language').value = lang;
    var links = document.querySelectorAll('.lang-switcher a[data-lang]');
    for (var j = 0; j < links.length; j++) {
      var code = links[j].getAttribute('data-lang');
      if (code === lang) links[j].setAttribute('aria-current', 'true');
      else links[j].removeAttribute('aria-current');
    }
    fillCountries();
  }

  function fillCountries() {
    var select = $('country');
    var current = select.value;
    var names = null;
    try {
      names = new Intl.DisplayNames([lang, 'en'], { type: 'region' });
    } catch (e) { names = null; }
    var list = Object.keys(COUNTRIES).map(function (code) {
      var name = null;
      try { name = names ? names.of(code) : null; } catch (e) { name = null; }
      if (!name || name === code) name = COUNTRIES[code];
      return { code: code, name: name };
    });
    var collator;
    try { collator = new Intl.Collator(lang); } catch (e) { collator = new Intl.Collator('en'); }
    list.sort(function (a, b) { return collator.compare(a.name, b.name); });
    while (select.options.length > 1) select.remove(1);
    list.forEach(function (c) {
      var o = document.createElement('option');
      o.value = c.code;
      o.textContent = c.name;
      select.appendChild(o);
    });
    select.value = current;
  }

  /* ---- errors ---- */

  var FIELDS = ['url', 'description', 'category', 'country', 'file', 'contact'];

  function clearErrors() {
    FIELDS.forEach(function (f) { setFieldError(f, null); });
    var summary = $('form-errors');
    summary.hidden = true;
    summary.textContent = '';
  }

  function setFieldError(field, message) {
    var input = $(field);
    var box = $(field + '-error');
    if (!input || !box) return;
    if (message) {
      box.textContent = message;
      box.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    } else {
      box.textContent = '';
      box.hidden = true;
      input.removeAttribute('aria-invalid');
    }
  }

  /* errors: [{field, message}] -> summary (announced: role=alert) with links
   * to each field, and the message next to the field. */
  function showErrors(errors) {
    var summary = $('form-errors');
    summary.textContent = '';
    var title = document.createElement('p');
    title.className = 'error-title';
    title.textContent = t('errors.title');
    summary.appendChild(title);
    var ul = document.createElement('ul');
    errors.forEach(function (e) {
      if (e.field) setFieldError(e.field, e.message);
      var li = document.createElement('li');
      if (e.field && $(e.field)) {
        var a = document.createElement('a');
        a.href = '#' + e.field;
        a.textContent = e.message;
        a.addEventListener('click', function (ev) { ev.preventDefault(); $(e.field).focus(); });
        li.appendChild(a);
      } else {
        li.textContent = e.message;
      }
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    summary.hidden = false;
    summary.focus();
  }

  function validate(form) {
    var errors = [];
    var url = form.url.value.trim();
    var description = form.description.value.trim();
    var file = form.file.files && form.file.files[0];
    if (!url && !description && !file) {
      errors.push({ field: 'url', message: t('errors.oneof') });
    }
    if (url) {
      var ok = false;
      try {
        var u = new URL(url);
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
      } catch (e) { ok = false; }
      if (!ok) errors.push({ field: 'url', message: t('errors.url_invalid') });
      else if (new TextEncoder().encode(url).length > 2048) errors.push({ field: 'url', message: t('errors.url_long') });
    }
    if (description.length > 5000) errors.push({ field: 'description', message: t('errors.description_long') });
    if (!form.category.value) errors.push({ field: 'category', message: t('errors.category_required') });
    if (form.contact.value.length > 256) errors.push({ field: 'contact', message: t('errors.contact_long') });
    if (file && !/^(image|video)\//.test(file.type || '')) {
      errors.push({ field: 'file', message: t('errors.file_type') });
    }
    return errors;
  }

  /* A server error {error: {code, message, field}}: the message shown is
   * ours, in the page's language, chosen by field (the server's English
   * message is not shown to someone reading another language). */
  function serverError(status, body) {
    var err = body && body.error ? body.error : {};
    var field = FIELDS.indexOf(err.field) >= 0 ? err.field : null;
    if (status === 413) return { field: 'file', message: t('errors.file_large') };
    if (status === 429) return { field: null, message: t('errors.busy') };
    if (status >= 500) return { field: null, message: t('errors.server') };
    /* "a report needs a url, a description or a file" also names url. */
    if (field === 'url' && /needs|one of/i.test(err.message || '')) return { field: field, message: t('errors.oneof') };
    if (field === 'url') return { field: field, message: t('errors.url_invalid') };
    if (field === 'category') return { field: field, message: t('errors.category_required') };
    if (field === 'country') return { field: field, message: t('errors.country_invalid') };
    if (field === 'file') return { field: field, message: t('errors.file_type') };
    if (field === 'description') return { field: field, message: t('errors.description_long') };
    if (field === 'contact') return { field: field, message: t('errors.contact_long') };
    return { field: null, message: t('errors.rejected') };
  }

  function readJson(r) {
    return r.text().then(function (text) {
      try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
    });
  }

  /* ---- submit ---- */

  function onSubmit(ev) {
    ev.preventDefault();
    var form = ev.target;
    clearErrors();
    var errors = validate(form);
    if (errors.length) { showErrors(errors); return; }

    var data = new FormData();
    var url = form.url.value.trim();
    var description = form.description.value.trim();
    if (url) data.append('url', url);
    if (description) data.append('description', description);
    data.append('category', form.category.value);
    if (form.country.value) data.append('country', form.country.value);
    if (form.live_harm.checked) data.append('live_harm', 'true');
    data.append('language', lang);
    var contact = form.contact.value.trim();
    if (contact) data.append('contact', contact);
    var file = form.file.files && form.file.files[0];
    if (file) data.append('file', file, file.name);

    var button = $('submit');
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    $('submit-status').textContent = t('form.sending');

    fetch('/v1/reports', { method: 'POST', body: data, credentials: 'omit', referrerPolicy: 'no-referrer' })
      .then(function (r) {
        return readJson(r).then(function (body) {
          if (r.status === 201 || r.status === 200) {
            if (!body || !body.receipt) throw { field: null, message: t('errors.server') };
            showReceipt(body.receipt);
            form.reset();
            $('submit-status').textContent = '';
            return;
          }
          throw serverError(r.status, body);
        });
      })
      .catch(function (e) {
        $('submit-status').textContent = '';
        showErrors([e && e.message && 'field' in e ? e : { field: null, message: t('errors.network') }]);
      })
      .then(function () {
        button.disabled = false;
        form.removeAttribute('aria-busy');
      });
  }

  function showReceipt(code) {
    lastReceipt = code;
    $('receipt-code').textContent = code;
    $('copy-status').textContent = '';
    $('report-section').hidden = true;
    var section = $('receipt-section');
    section.hidden = false;
    $('check-receipt').value = code;
    section.focus();
  }

  function copyReceipt() {
    var code = $('receipt-code').textContent;
    var done = function () { $('copy-status').textContent = t('receipt.copied'); };
    var manual = function () {
      var range = document.createRange();
      range.selectNodeContents($('receipt-code'));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      $('copy-status').textContent = ok ? t('receipt.copied') : t('receipt.copy_failed');
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code).then(done, manual);
    } else {
      manual();
    }
  }

  function anotherReport() {
    $('receipt-section').hidden = true;
    $('report-section').hidden = false;
    $('url').focus();
  }

  /* ---- status and withdrawal ---- */

  function normaliseReceipt(raw) {
    var s = String(raw || '').toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (s.length !== 16) return null;
    return s.slice(0, 4) + '-' + s.slice(4, 8) + '-' + s.slice(8, 12) + '-' + s.slice(12);
  }

  function formatDate(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
    } catch (e) {
      return d.toISOString();
    }
  }

  function readReceiptField() {
    $('check-error').hidden = true;
    $('check-receipt').removeAttribute('aria-invalid');
    var code = normaliseReceipt($('check-receipt').value);
    if (!code || !RECEIPT_RE.test(code)) {
      showCheckError(t('errors.receipt_format'));
      return null;
    }
    $('check-receipt').value = code;
    return code;
  }

  function showCheckError(message) {
    var box = $('check-error');
    box.textContent = message;
    box.hidden = false;
    $('check-receipt').setAttribute('aria-invalid', 'true');
    var result = $('check-result');
    result.textContent = '';
    var p = document.createElement('p');
    p.className = 'result-error';
    p.textContent = message;
    result.appendChild(p);
    $('check-receipt').focus();
  }

  function showResult(lines) {
    var result = $('check-result');
    result.textContent = '';
    lines.forEach(function (l) {
      var p = document.createElement('p');
      if (l.className) p.className = l.className;
      if (l.strong !== undefined) {
        var s = document.createElement('strong');
        s.textContent = l.strong;
        p.appendChild(document.createTextNode(l.label + ' '));
        p.appendChild(s);
        if (l.id) s.id = l.id;
        if (l.status) s.setAttribute('data-status', l.status);
      } else {
        p.textContent = l.text;
      }
      result.appendChild(p);
    });
  }

  var STATUSES = ['received', 'assessed', 'action_taken', 'closed'];

  function onCheck(ev) {
    ev.preventDefault();
    var code = readReceiptField();
    if (!code) return;
    $('check-result').textContent = t('check.checking');
    fetch('/v1/reports/status?receipt=' + encodeURIComponent(code), { credentials: 'omit', cache: 'no-store' })
      .then(function (r) {
        return readJson(r).then(function (body) {
          if (r.status === 404) { showCheckError(t('errors.receipt_unknown')); return; }
          if (r.status === 429) { showCheckError(t('errors.busy')); return; }
          if (!r.ok || !body) { showCheckError(t('errors.server')); return; }
          $('check-receipt').removeAttribute('aria-invalid');
          var s = STATUSES.indexOf(body.status) >= 0 ? body.status : null;
          var lines = [{
            label: t('check.status'),
            strong: s ? t('status.' + s) : String(body.status || ''),
            id: 'status-value',
            status: body.status || ''
          }];
          if (s) lines.push({ text: t('status.' + s + '.explain'), className: 'hint' });
          if (body.received_at) lines.push({ text: t('check.received_at', { date: formatDate(body.received_at) }) });
          if (body.updated_at) lines.push({ text: t('check.updated_at', { date: formatDate(body.updated_at) }) });
          showResult(lines);
        });
      })
      .catch(function () { showCheckError(t('errors.network')); });
  }

  function onWithdraw() {
    var code = readReceiptField();
    if (!code) return;
    if (!window.confirm(t('withdraw.confirm'))) return;
    $('check-result').textContent = t('check.checking');
    fetch('/v1/reports/withdraw-contact', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ receipt: code }),
      credentials: 'omit'
    })
      .then(function (r) {
        if (r.status === 404) { showCheckError(t('errors.receipt_unknown')); return; }
        if (r.status === 429) { showCheckError(t('errors.busy')); return; }
        if (!r.ok) { showCheckError(t('errors.server')); return; }
        $('check-receipt').removeAttribute('aria-invalid');
        showResult([{ text: t('withdraw.done'), className: 'result-ok' }]);
      })
      .catch(function () { showCheckError(t('errors.network')); });
  }

  function start() {
    lang = chooseLang();
    var wanted = [loadDict(lang)];
    if (lang !== 'en') wanted.push(loadDict('en'));
    Promise.all(wanted).then(function (dicts) {
      dict = dicts[0];
      fallback = dicts[1] || dicts[0];
      applyTranslations();
      document.documentElement.setAttribute('data-ready', 'true');
    });
    /* Keep the page's language when the switcher links add ?lang: they are
     * plain links, so they work with a keyboard and without script. */
    $('report-form').addEventListener('submit', onSubmit);
    $('check-form').addEventListener('submit', onCheck);
    $('withdraw-button').addEventListener('click', onWithdraw);
    $('copy-receipt').addEventListener('click', copyReceipt);
    $('another').addEventListener('click', anotherReport);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
