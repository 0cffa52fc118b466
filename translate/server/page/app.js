/* The page at / of `translate serve`: one form, this server's APIs, nothing else.
 *
 * Everything the server answers is shown as text (textContent), never parsed as HTML — except the
 * reading page, which goes whole into a sandboxed iframe (srcdoc, scripts but no same origin). */
(function () {
  'use strict';

  var FORMATS = { txt: 'text', text: 'text', html: 'html', htm: 'html', md: 'markdown', markdown: 'markdown' };
  var LENGTHS = ['headline', 'short'];
  var MAX_MESSAGE = 300;           // characters of an error shown (one line)
  var MAX_LANGUAGES = 1000;
  var MAX_DIGESTS = 10;
  var MAX_SENTENCES = 200;
  var LANG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

  function $(id) { return document.getElementById(id); }

  var form = $('form'), url = $('url'), text = $('text'), count = $('count'), file = $('file');
  var format = $('format'), target = $('target'), key = $('key'), status = $('status');
  var digests = $('digests'), digestList = $('digest-list'), result = $('result'), frame = $('frame');
  var save = $('save');
  var config = { urls: false, keyRequired: false, charLimit: 0, bodyLimit: 0 };
  var inflight = null;   // the AbortController of the request in flight
  var shown = '';        // the reading page on show (for "Save the page")

  // -- status: one line, announced (role=status) --------------------------------------------------
  function oneLine(message) {
    var line = String(message == null ? '' : message).replace(/\s+/g, ' ').trim();
    return line.length > MAX_MESSAGE ? line.slice(0, MAX_MESSAGE - 1) + '\u2026' : line;
  }

  function say(message) {
    status.classList.remove('error');
    status.textContent = oneLine(message);
  }

  function fail(message) {
    status.classList.add('error');
    status.textContent = oneLine(message) || 'Something went wrong.';
  }

  function Failure(message) { this.message = message; }

  // What a refused request says: its {"error"} (or DeepL's {"message"}), else its status.
  function refusal(res) {
    return res.text().then(function (body) {
      var said = '';
      try {
        var data = JSON.parse(body);
        if (data && typeof data.error === 'string') said = data.error;
        else if (data && typeof data.message === 'string') said = data.message;
      } catch (e) { /* not JSON: say the status */ }
      throw new Failure(oneLine(said) || 'The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.');
    }, function () {
      throw new Failure('The server answered ' + res.status + '.');
    });
  }

  function why(error) {
    if (error instanceof Failure) return error.message;
    return 'Could not reach the server.';
  }

  function number(n) { return Number(n).toLocaleString('en'); }

  // -- settings and languages ---------------------------------------------------------------------
  function getJSON(path) {
    return fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (res) {
      return res.ok ? res.json() : refusal(res);
    });
  }

  function applyConfig(data) {
    if (!data || typeof data !== 'object') return;
    config.urls = data.urls === true;
    config.keyRequired = data.keyRequired === true;
    config.charLimit = typeof data.charLimit === 'number' && data.charLimit > 0 ? data.charLimit : 0;
    config.bodyLimit = typeof data.bodyLimit === 'number' && data.bodyLimit > 0 ? data.bodyLimit : 0;
    Array.prototype.forEach.call(document.querySelectorAll('.if-urls'), function (el) { el.hidden = !config.urls; });
    $('key-field').hidden = !config.keyRequired;
    counted();
  }

  function applyLanguages(list) {
    if (!Array.isArray(list)) throw new Failure('The server did not list its languages.');
    var names = {}, targets = [];
    list.slice(0, MAX_LANGUAGES).forEach(function (language) {
      if (!language || typeof language.code !== 'string') return;
      names[language.code] = typeof language.name === 'string' ? language.name : '';
      (Array.isArray(language.targets) ? language.targets : []).forEach(function (code) {
        if (typeof code === 'string' && code && targets.indexOf(code) < 0 && targets.length < MAX_LANGUAGES) targets.push(code);
      });
    });
    if (!targets.length) throw new Failure('The server lists no language to translate into.');
    target.textContent = '';
    targets.forEach(function (code) {
      var option = document.createElement('option');
      option.value = code;
      option.textContent = names[code] ? names[code] + ' (' + code + ')' : code;
      target.appendChild(option);
    });
    target.value = preferred(targets);
  }

  function preferred(targets) {
    var wanted = (navigator.languages || [navigator.language || '']).concat(['en']);
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || '');
      if (targets.indexOf(code) >= 0) return code;
      var base = code.split('-')[0];
      if (targets.indexOf(base) >= 0) return base;
    }
    return targets[0];
  }

  // -- the text, a URL or a file ------------------------------------------------------------------
  function counted() {
    var n = text.value.length;
    var line = number(n) + (n === 1 ? ' character' : ' characters');
    if (config.charLimit) line += ' (this server takes up to ' + number(config.charLimit) + ')';
    count.textContent = line;
    count.classList.toggle('over', config.charLimit > 0 && n > config.charLimit);
  }

  function extension(name) {
    var found = /\.([A-Za-z0-9]+)$/.exec(name);
    return found ? found[1].toLowerCase() : '';
  }

  function readFile(chosen) {
    var name = oneLine(chosen.name).slice(0, 80);
    var ext = extension(chosen.name);
    if (!Object.prototype.hasOwnProperty.call(FORMATS, ext)) {
      fail('Choose a .txt, .html or .md file; ' + name + ' is none of them.');
      return;
    }
    if (config.bodyLimit && chosen.size > config.bodyLimit) {
      fail(name + ' is too large: ' + number(chosen.size) + ' bytes; this server takes up to ' + number(config.bodyLimit) + '.');
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var content = String(reader.result);
      if (content.indexOf('\u0000') >= 0) {
        fail(name + ' is not a text file.');
        return;
      }
      text.value = content;
      format.value = FORMATS[ext];
      url.value = '';
      counted();
      say('Read ' + name + ': ' + number(content.length) + ' characters.');
    };
    reader.onerror = function () { fail('Could not read ' + name + '.'); };
    reader.readAsText(chosen, 'utf-8');
  }

  function hasFiles(ev) {
    return ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types || [], 'Files') >= 0;
  }

  // -- translating --------------------------------------------------------------------------------
  function post(path, body, apiKey, signal) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/html' };
    if (apiKey) {
      body.api_key = apiKey;
      headers.Authorization = 'Bearer ' + apiKey;
    }
    return fetch(path, { method: 'POST', headers: headers, body: JSON.stringify(body), signal: signal,
                         cache: 'no-store', credentials: 'same-origin' });
  }

  function what() {
    var address = config.urls ? url.value.trim() : '';
    if (address) {
      if (!/^https?:\/\/\S+$/i.test(address)) {
        fail('The web address must start with http:// or https://.');
        return null;
      }
      return { url: address };
    }
    if (!text.value.trim()) {
      fail(config.urls ? 'Paste some text, give a web address or choose a file first.'
                       : 'Paste some text or choose a file first.');
      return null;
    }
    return { text: text.value, input_format: format.value };
  }

  function submit() {
    var source = what();
    if (!source) return;
    if (!target.value) { fail('No language to translate into: the server did not list any.'); return; }
    var apiKey = config.keyRequired ? key.value.trim() : '';
    if (/[^\x21-\x7e]/.test(apiKey)) { fail('An API key holds only printable ASCII characters, without spaces.'); return; }
    var base = { to: target.value };
    Object.keys(source).forEach(function (name) { base[name] = source[name]; });
    var pageBody = Object.assign({ format: 'html' }, base);
    if (config.bodyLimit && new Blob([JSON.stringify(pageBody)]).size > config.bodyLimit) {
      fail('The text is too large for this server (at most ' + number(config.bodyLimit) + ' bytes a request).');
      return;
    }
    if (inflight) inflight.abort();
    var ctrl = new AbortController();
    inflight = ctrl;
    form.setAttribute('aria-busy', 'true');
    say('Translating\u2026');
    digests.hidden = true;
    digestList.textContent = '';

    var page = post('/v1/translate', pageBody, apiKey, ctrl.signal).then(function (res) {
      return res.ok ? res.text() : refusal(res);
    });
    var summary = post('/v1/summarize', Object.assign({ lengths: LENGTHS.slice(), format: 'json' }, base), apiKey,
                       ctrl.signal).then(function (res) {
      return res.ok ? res.json() : refusal(res);
    });
    page.then(function (html) {
      if (ctrl !== inflight) return;
      show(html);
      say('Translated. The digests follow when they are ready.');
    }, function () {});
    Promise.all([settle(page), settle(summary)]).then(function (outcome) {
      if (ctrl !== inflight) return;
      inflight = null;
      form.removeAttribute('aria-busy');
      if (!outcome[0].ok) {
        show('');
        fail(why(outcome[0].error));
        return;
      }
      if (outcome[1].ok) {
        showDigests(outcome[1].value, base.to);
        say('Translated, with digests.');
      } else {
        digestNote('No digests: ' + why(outcome[1].error));
        say('Translated.');
      }
    });
  }

  function settle(promise) {
    return promise.then(function (value) { return { ok: true, value: value }; },
                        function (error) { return { ok: false, error: error }; });
  }

  function show(html) {   // '' hides the last page: it would pass for the answer to this request
    shown = html;
    frame.srcdoc = html;
    result.hidden = !html;
  }

  // -- digests, as text ---------------------------------------------------------------------------
  function element(tag, className, content, lang) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (content != null) el.textContent = String(content);
    if (lang && LANG.test(lang)) el.lang = lang;
    return el;
  }

  function digestNote(message) {
    digestList.textContent = '';
    digestList.appendChild(element('p', 'hint', oneLine(message)));
    digests.hidden = false;
  }

  function showDigests(data, lang) {
    var list = data && Array.isArray(data.digests) ? data.digests : [];
    var header = data && data.header && typeof data.header === 'object' ? data.header : {};
    var sourceLang = typeof header.source_language === 'string' ? header.source_language : '';
    digestList.textContent = '';
    list.slice(0, MAX_DIGESTS).forEach(function (digest) {
      if (!digest || typeof digest !== 'object') return;
      var box = element('article', 'digest');
      box.appendChild(element('h3', null, typeof digest.name === 'string' ? digest.name : 'digest'));
      var sentences = Array.isArray(digest.sentences) ? digest.sentences.slice(0, MAX_SENTENCES) : [];
      var said = typeof digest.text === 'string' ? digest.text : sentences.map(function (s) {
        return s && typeof s.translation === 'string' ? s.translation : '';
      }).join(' ');
      box.appendChild(element('p', 'dtext', said, lang));
      if (typeof digest.note === 'string' && digest.note) box.appendChild(element('p', 'hint', digest.note));
      var sources = sentences.filter(function (s) { return s && typeof s.source === 'string'; });
      if (sources.length) {
        var more = element('details', 'dsource');
        more.appendChild(element('summary', null, 'Original'));
        more.appendChild(element('p', null, sources.map(function (s) { return s.source; }).join(' '), sourceLang));
        box.appendChild(more);
      }
      digestList.appendChild(box);
    });
    if (!digestList.childNodes.length) digestList.appendChild(element('p', 'hint', 'No digest for this text.'));
    digests.hidden = false;
  }

  function saveShown() {
    if (!shown) return;
    var link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([shown], { type: 'text/html' }));
    link.download = 'translation.html';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // -- wiring -------------------------------------------------------------------------------------
  form.addEventListener('submit', function (ev) { ev.preventDefault(); submit(); });
  form.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' || ev.isComposing) return;
    if (ev.target === text ? (ev.ctrlKey || ev.metaKey) : ev.target.tagName === 'SELECT') {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  text.addEventListener('input', counted);
  file.addEventListener('change', function () {
    if (file.files && file.files[0]) readFile(file.files[0]);
    file.value = '';
  });
  document.addEventListener('dragover', function (ev) {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
    form.classList.add('dropping');
  });
  document.addEventListener('dragleave', function (ev) {
    if (!ev.relatedTarget) form.classList.remove('dropping');
  });
  document.addEventListener('drop', function (ev) {
    form.classList.remove('dropping');
    if (!hasFiles(ev)) return;
    ev.preventDefault();   // never let the browser open the file in place of this page
    if (ev.dataTransfer.files.length) readFile(ev.dataTransfer.files[0]);
  });
  save.addEventListener('click', saveShown);

  counted();
  Promise.all([
    getJSON('/page/config').then(applyConfig),
    getJSON('/languages').then(applyLanguages)
  ]).catch(function (error) {
    fail(why(error));
  });
}());
