/*
 * Shared Node-RED editor helpers of @domotique/node-red-qivivo-veolia.
 *
 * Served by Node-RED at resources/@domotique/node-red-qivivo-veolia/editor.js and included by every
 * node's editor HTML before its RED.nodes.registerType(...) call. Plain ES2017 browser JavaScript,
 * no build step. Exposes window.QivivoVeoliaEditor.
 *
 * Texts: every text shown comes from the catalog of the node being edited, under
 * "<node type>.<key>" (see the locales/<lang>/<type>.json files). The English fallbacks below are
 * only used when a key is missing, so that a broken catalog never leaves an empty hint.
 *
 * Admin endpoints used (relative to the editor, GET, JSON):
 *   qivivo-account/<accountId>/housings                      -> [{ id, name }]
 *   qivivo-account/<accountId>/housings/<housingId|_>/zones  -> [{ id, name, kind }]
 *   qivivo-account/<accountId>/housings/<housingId|_>/programs -> [{ id, name, active }]
 *   veolia-account/<accountId>/contracts                     -> [{ id, meter, label }]
 *   veolia-account/portals                                   -> { <portal>: { apiUrl, authUrl, clientId } }
 * Errors: any 4xx/5xx with a JSON body { code, message }; code "NOT_DEPLOYED" (404) means the
 * account node is new or not deployed yet.
 * Before the first deploy, or once the account was edited, the lists come instead from
 *   POST qivivo-account/connect  { id, settings, credentials } -> { housings: [{ id, name, zones, programs, schedules }] }
 *   POST veolia-account/connect  { id, settings, credentials } -> { contracts: [{ id, meter, label }] }
 *   POST veolia-account/connect/code  { ...same, code }        -> { contracts } (a challenged Connect)
 * which log in with the account as edited (a credential left out = the saved one) and answer
 * { error: { code, message, reason?, challenge? } } on failure.
 */
/* global window, $ */
(function () {
  'use strict';

  const VERSION = 1;
  // The file is included by several node HTML files: define the helpers once.
  if (window.QivivoVeoliaEditor && window.QivivoVeoliaEditor.version >= VERSION) {
    return;
  }

  const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
  const INT_RE = /^[+-]?\d+$/;
  const ADD_NEW = '_ADD_';
  const ENV_RE = /^\$(\([a-zA-Z_][a-zA-Z0-9_]*\)|\{[a-zA-Z_][a-zA-Z0-9_]*\})$/;

  const FALLBACK = {
    'editor.refresh': 'Refresh the list from the account',
    'editor.loading': 'Loading…',
    'editor.notDeployed': 'Deploy the account first, then refresh',
    'editor.noAccount': 'Select or add an account first',
    'editor.loadFailed': 'Could not load the list: __message__',
    'editor.empty': 'The account returned an empty list',
    'editor.notInList': '__name__ (not found in the account)',
    'editor.saved': '__name__ (saved value)',
    'editor.active': 'active',
    'validation.invalid': 'Invalid value',
  };

  // Last error swallowed by a helper (kept for debugging from the browser console).
  let lastError = null;
  function noteError(err, fallback) {
    lastError = err;
    return fallback;
  }

  function interpolate(text, vars) {
    if (!vars) {
      return text;
    }
    return text.replace(/__([a-zA-Z0-9_]+)__/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : all;
    });
  }

  /**
   * Translate "<node type>.<sub>" with the node's own catalog (node._ is pre-scoped by Node-RED).
   * @param {object} node the node (or node definition) being edited
   * @param {string} sub key below the type, e.g. "editor.notDeployed"
   * @param {object} [vars] interpolation values (__name__ in the catalog)
   */
  function tr(node, sub, vars) {
    const key = (node && node.type ? node.type : '') + '.' + sub;
    let text = null;
    if (node && typeof node._ === 'function') {
      try {
        text = node._(key, vars);
      } catch (err) {
        text = noteError(err, null);
      }
    }
    if (typeof text !== 'string' || text === key || text === '') {
      let fallback = FALLBACK[sub];
      if (!fallback && sub.indexOf('validation.') === 0) {
        fallback = vars && vars.min !== undefined ? 'Enter a whole number from __min__ to __max__' : FALLBACK['validation.invalid'];
      }
      text = interpolate(fallback || sub, vars);
    }
    return text;
  }

  // ---------------------------------------------------------------- admin endpoints

  function enc(value) {
    return encodeURIComponent(String(value));
  }

  const urls = {
    housings: function (accountId) {
      return 'qivivo-account/' + enc(accountId) + '/housings';
    },
    zones: function (accountId, housingId) {
      return 'qivivo-account/' + enc(accountId) + '/housings/' + enc(housingId || '_') + '/zones';
    },
    programs: function (accountId, housingId) {
      return 'qivivo-account/' + enc(accountId) + '/housings/' + enc(housingId || '_') + '/programs';
    },
    contracts: function (accountId) {
      return 'veolia-account/' + enc(accountId) + '/contracts';
    },
    portals: function () {
      return 'veolia-account/portals';
    },
  };

  /** Normalise a failed jQuery request into { status, code, message, notDeployed }. */
  function toError(xhr, textStatus, errorThrown) {
    let body = xhr && xhr.responseJSON;
    if (!body && xhr && typeof xhr.responseText === 'string' && xhr.responseText) {
      try {
        body = JSON.parse(xhr.responseText);
      } catch (err) {
        body = noteError(err, null);
      }
    }
    const status = xhr && typeof xhr.status === 'number' ? xhr.status : 0;
    // The POST endpoints answer { error: { code, message, reason?, challenge? } }.
    if (body && body.error && typeof body.error === 'object') {
      body = body.error;
    }
    const code = body && typeof body.code === 'string' ? body.code : null;
    let message = body && typeof body.message === 'string' && body.message ? body.message : '';
    if (!message) {
      if (textStatus === 'timeout') {
        message = 'timeout';
      } else if (textStatus === 'parsererror') {
        message = 'unexpected answer (not JSON)';
      } else if (status) {
        message = 'HTTP ' + status + (errorThrown ? ' ' + errorThrown : '');
      } else {
        message = textStatus || 'network error';
      }
    }
    return {
      status: status,
      code: code,
      message: message,
      notDeployed: code === 'NOT_DEPLOYED',
      reason: body && typeof body.reason === 'string' ? body.reason : null,
      challenge: body && typeof body.challenge === 'string' ? body.challenge : null,
    };
  }

  /**
   * GET a JSON admin endpoint (relative URL, Node-RED adds the admin auth headers).
   * @returns {Promise<any>} rejects with { status, code, message, notDeployed }
   */
  function fetchJSON(url) {
    return new Promise(function (resolve, reject) {
      $.ajax({ url: url, method: 'GET', dataType: 'json', cache: false, timeout: 30000 })
        .done(function (data) {
          resolve(data);
        })
        .fail(function (xhr, textStatus, errorThrown) {
          reject(toError(xhr, textStatus, errorThrown));
        });
    });
  }

  /** POST a JSON body to an admin endpoint; rejects like fetchJSON. */
  function postJSON(url, body) {
    return new Promise(function (resolve, reject) {
      $.ajax({ url: url, method: 'POST', contentType: 'application/json', data: JSON.stringify(body), dataType: 'json', timeout: 60000 })
        .done(function (data) {
          resolve(data);
        })
        .fail(function (xhr, textStatus, errorThrown) {
          reject(toError(xhr, textStatus, errorThrown));
        });
    });
  }

  // ---------------------------------------------------------------- the account as edited

  // Node-RED's editor holds this in a password field whose saved value it did not load.
  const UNCHANGED = '__PWRD__';
  // Answers of POST <type>/connect for the open dialog, per account: one login per dialog at most.
  let connected = {};

  /** A fresh dialog asks again (its account may have changed in the cloud). */
  function forgetConnections() {
    connected = {};
  }

  /** The catalog of an account type, for its Connect sentences. */
  function accountTexts(type) {
    const def = window.RED && window.RED.nodes && window.RED.nodes.getType ? window.RED.nodes.getType(type) : null;
    return { type: type, _: def && def._ };
  }

  /**
   * The body of POST <type>/connect for an account as the editor holds it: its properties, and
   * the credentials typed since the last deploy. A credential left out (or "__PWRD__") means
   * "unchanged": the runtime uses the saved one.
   * @param {string} id the account's id
   * @param {object} settings its properties (the name is left out)
   * @param {object} credentials its credentials as the editor holds them
   */
  function accountBody(id, settings, credentials) {
    const body = { id: id, settings: {}, credentials: {} };
    Object.keys(settings).forEach(function (key) {
      if (key !== 'name') {
        body.settings[key] = settings[key] === undefined || settings[key] === null ? '' : String(settings[key]);
      }
    });
    Object.keys(credentials).forEach(function (key) {
      const value = credentials[key];
      if (typeof value === 'string' && value !== UNCHANGED) {
        body.credentials[key] = value;
      }
    });
    return body;
  }

  /** The body for the account dialog's Connect: what its form holds now. */
  function formBody(node, prefix) {
    const settings = {};
    const credentials = {};
    Object.keys((node._def && node._def.defaults) || {}).forEach(function (key) {
      const $input = $('#' + prefix + '-' + key);
      settings[key] = $input.length ? $input.val() : node[key];
    });
    Object.keys((node._def && node._def.credentials) || {}).forEach(function (key) {
      const $input = $('#' + prefix + '-' + key);
      if ($input.length) {
        credentials[key] = String($input.val() || '');
      }
    });
    return accountBody(node.id, settings, credentials);
  }

  /**
   * The account as edited in the editor: { type, body, edited } — edited when it is new or was
   * changed since the last deploy (properties or typed credentials); null when the editor has none.
   */
  function editedAccount(id) {
    const cfg = window.RED && window.RED.nodes ? window.RED.nodes.node(id) : null;
    if (!cfg || !cfg._def) {
      return null;
    }
    const settings = {};
    Object.keys(cfg._def.defaults || {}).forEach(function (key) {
      settings[key] = cfg[key];
    });
    const credentials = {};
    let typed = false;
    Object.keys(cfg._def.credentials || {}).forEach(function (key) {
      const value = cfg.credentials ? cfg.credentials[key] : undefined;
      if (typeof value === 'string' && value !== UNCHANGED) {
        credentials[key] = value;
        // a loaded text credential is not a change; a password present here was typed
        typed = typed || (cfg._def.credentials[key].type === 'password' && value !== '');
      } else if (cfg.credentials && cfg.credentials['has_' + key] === false) {
        credentials[key] = '';
      }
    });
    return { type: cfg.type, body: accountBody(id, settings, credentials), edited: cfg.changed === true || typed };
  }

  /**
   * POST <type>/connect: logs in with `body` and answers the listing ({ housings } / { contracts }).
   * Kept for the dialog's life per account and values; `fresh` asks again (the Connect button).
   */
  function connect(type, body, fresh) {
    const key = JSON.stringify(body);
    const known = connected[body.id];
    if (!fresh && known && known.key === key) {
      return known.answer;
    }
    const answer = postJSON(type + '/connect', body);
    connected[body.id] = { key: key, answer: answer };
    answer.catch(function () {
      // a failure is not kept: the next refresh may succeed (the runtime limits logins)
      if (connected[body.id] && connected[body.id].answer === answer) {
        delete connected[body.id];
      }
    });
    return answer;
  }

  /** Keeps a listing obtained another way (a code answered in the dialog) for the dialog's lists. */
  function rememberConnection(body, listing) {
    connected[body.id] = { key: JSON.stringify(body), answer: Promise.resolve(listing) };
  }

  /**
   * A failed Connect as a sentence of the dialog's language, from the runtime's error code (and
   * reason), not its message.
   */
  function connectMessage(type, err) {
    const texts = accountTexts(type);
    if (!err || !err.code) {
      return tr(texts, 'connect.error.network', { message: (err && err.message) || '?' });
    }
    const vars = { service: tr(texts, 'connect.service'), code: err.code };
    if (err.reason) {
      const sub = 'connect.error.' + err.code + '_' + err.reason;
      const withReason = tr(texts, sub, vars);
      if (withReason !== sub) {
        return withReason;
      }
    }
    const sub = 'connect.error.' + err.code;
    const text = tr(texts, sub, vars);
    return text !== sub ? text : tr(texts, 'connect.error.other', vars);
  }

  /**
   * The account dialog's Connect row: the button logs in with the form's values and the result
   * area lists what was found, or says why not, in the dialog's language.
   * @param {object} node the account being edited
   * @param {object} o { button, result: "#id" of the button and the result area (created after
   *   the form row of `after` unless the template has them); lines(answer) => string[]; onError(err, body) }
   * @returns {{show: function(string, string[]): void}}
   */
  function connectButton(node, o) {
    let $button = $(o.button);
    let $result = $(o.result);
    if (!$button.length) {
      // the row is written here once, not in each account's template
      const $row = $('<div class="form-row"></div>').attr('id', o.button.slice(1) + '-row');
      $('<label>&nbsp;</label>').appendTo($row);
      $row.append(' ');
      $button = $('<button type="button" class="red-ui-button"></button>').attr('id', o.button.slice(1)).appendTo($row);
      $('<i class="fa fa-plug"></i>').appendTo($button);
      $('<span></span>').text(' ' + tr(node, 'connect.button')).appendTo($button);
      $result = $('<div class="form-row qv-connect-result"></div>').attr('id', o.result.slice(1)).hide();
      $row.insertAfter($(o.after).closest('.form-row'));
      $result.insertAfter($row);
    }
    $button.attr('title', tr(node, 'connect.tip'));
    function show(kind, lines) {
      const style = HINT_STYLE[kind] || HINT_STYLE.info;
      $result.empty().css({ color: style.color, 'margin-left': '105px' }).attr('data-kind', kind);
      (lines || []).forEach(function (line, i) {
        const $line = $('<div class="qv-connect-line"></div>').appendTo($result);
        if (i === 0) {
          $('<i class="fa"></i>').addClass(style.icon).appendTo($line);
          $line.append(' ');
        }
        $('<span></span>').text(line).appendTo($line);
      });
      $result.toggle(!!(lines && lines.length));
    }
    $button.on('click', function (event) {
      event.preventDefault();
      const body = formBody(node, 'node-config-input');
      $button.prop('disabled', true);
      show('loading', [tr(node, 'connect.busy')]);
      connect(node.type, body, true)
        .then(
          function (answer) {
            show('info', o.lines(answer));
          },
          function (err) {
            show(err && err.code === 'AUTH_CHALLENGE' ? 'warn' : 'error', [connectMessage(node.type, err)]);
            if (typeof o.onError === 'function') {
              o.onError(err, body);
            }
          },
        )
        .then(function () {
          $button.prop('disabled', false);
        });
    });
    return { show: show };
  }

  const LIST_URL = /^(qivivo-account|veolia-account)\/([^/]+)\/(housings|contracts)(?:\/([^/]+)\/(zones|programs|schedules))?$/;

  /** The part of a Connect answer a list URL asks for (the same shapes as the GET routes). */
  function pickList(type, answer, what, housingId, sub) {
    if (type === 'veolia-account') {
      return (answer && answer.contracts) || [];
    }
    const housings = (answer && answer.housings) || [];
    if (!sub) {
      return housings.map(function (h) {
        return { id: h.id, name: h.name };
      });
    }
    const housing = housingId && housingId !== '_' ? housings.find(function (h) { return h.id === housingId; }) : housings[0];
    if (!housing) {
      throw { status: 404, code: 'NOT_FOUND', message: tr(accountTexts(type), 'connect.error.NOT_FOUND', { service: tr(accountTexts(type), 'connect.service') }) };
    }
    return housing[sub] || [];
  }

  /**
   * A list for a dropdown. An account list URL (housings, zones, programs, schedules, contracts)
   * is answered from the deployed account (GET, no login) unless the account is not deployed or
   * was edited since: then from POST <type>/connect with the account as edited (spec §9).
   * @returns {Promise<any>} rejects with { status, code, message } (message in the dialog's language)
   */
  function fetchList(url) {
    const m = LIST_URL.exec(url);
    if (!m) {
      return fetchJSON(url);
    }
    const type = m[1];
    let id;
    try {
      id = decodeURIComponent(m[2]);
    } catch (err) {
      return noteError(err, fetchJSON(url));
    }
    const account = editedAccount(id);
    const viaConnect = function () {
      return connect(type, account.body).then(
        function (answer) {
          return pickList(type, answer, m[3], m[4] && decodeURIComponent(m[4]), m[5]);
        },
        function (err) {
          // the Code field is in the account's dialog, not in this one
          if (err && err.code === 'AUTH_CHALLENGE') {
            err.reason = 'list';
          }
          err.message = connectMessage(type, err);
          throw err;
        },
      );
    };
    if (account && account.edited) {
      return viaConnect();
    }
    return fetchJSON(url).catch(function (err) {
      if (err && err.notDeployed && account) {
        return viaConnect();
      }
      throw err;
    });
  }

  /** Value of a config-node picker, or null when none is chosen ("" or "add new…"). */
  function accountId(selector, fallback) {
    let value = $(selector).val();
    if (value === undefined || value === null) {
      value = fallback;
    }
    return value && value !== ADD_NEW ? String(value) : null;
  }

  /** Call cb() whenever the config-node picker points to another account. */
  function onAccountChange(selector, fallback, cb) {
    let last = accountId(selector, fallback);
    $(selector).on('change', function () {
      const now = accountId(selector, fallback);
      if (now !== last) {
        last = now;
        cb(now);
      }
    });
  }

  // ---------------------------------------------------------------- hints

  const HINT_STYLE = {
    info: { icon: 'fa-info-circle', color: 'var(--red-ui-secondary-text-color, #888)' },
    loading: { icon: 'fa-spinner fa-spin', color: 'var(--red-ui-secondary-text-color, #888)' },
    warn: { icon: 'fa-exclamation-triangle', color: 'var(--red-ui-text-color-warning, #c08020)' },
    error: { icon: 'fa-exclamation-circle', color: 'var(--red-ui-text-color-error, #d6615f)' },
  };

  /** A hint line under a form row; created after `row` when the template has none. */
  function hintElement(selector, row) {
    let $hint = selector ? $(selector) : $();
    if (!$hint.length) {
      $hint = $('<div class="form-row qv-hint"></div>');
      if (selector && selector.charAt(0) === '#') {
        $hint.attr('id', selector.slice(1));
      }
      $hint.insertAfter(row);
    }
    $hint.css({ 'margin-left': '105px', 'font-size': '0.9em' }).hide();
    return $hint;
  }

  function showHint($hint, kind, text) {
    if (!text) {
      $hint.empty().hide();
      return;
    }
    const style = HINT_STYLE[kind] || HINT_STYLE.info;
    $hint.empty().css('color', style.color);
    $('<i class="fa"></i>').addClass(style.icon).appendTo($hint);
    $('<span></span>').text(' ' + text).appendTo($hint);
    $hint.show();
  }

  /** Show a failed endpoint call: the translated "deploy first" hint or the server's message. */
  function showError(node, $hint, err) {
    if (err && err.notDeployed) {
      showHint($hint, 'warn', tr(node, 'editor.notDeployed'));
    } else {
      showHint($hint, 'error', tr(node, 'editor.loadFailed', { message: (err && err.message) || '?' }));
    }
  }

  function setBusy($button, busy) {
    if (!$button || !$button.length) {
      return;
    }
    $button.prop('disabled', !!busy);
    $button.find('i.fa').toggleClass('fa-spin', !!busy);
  }

  // ---------------------------------------------------------------- remote select

  /**
   * Fill a <select> from an admin endpoint, with a refresh button and a hint line.
   * The stored value always stays selectable (labelled with its stored name) when the list
   * cannot be loaded or no longer contains it, so that saving never loses it.
   *
   * @param {object} node node being edited (for translations)
   * @param {object} o
   * @param {string} o.select        selector of the <select> (its value is the node property)
   * @param {string} [o.refresh]     selector of the refresh button (default: select + "-refresh")
   * @param {string} [o.hint]        selector of the hint line (default: select + "-hint")
   * @param {string} [o.nameInput]   selector of a hidden input receiving the chosen item's name
   * @param {string} o.value         stored value
   * @param {string} [o.name]        stored name (label of the stored value when not loadable)
   * @param {string} [o.emptyLabel]  label of a first option with value "" (none = no such option)
   * @param {function} o.url         () => relative URL, or null when no account is selected
   * @param {function} o.map         (item) => { value, label, name } or null to skip the item
   * @param {function} [o.onChange]  (value) => void, after the user picks another entry
   * @returns {{load: function(): Promise<void>, value: function(): string}}
   */
  function remoteSelect(node, o) {
    const $select = $(o.select);
    const $name = o.nameInput ? $(o.nameInput) : null;
    const $refresh = $(o.refresh || o.select + '-refresh');
    const $hint = hintElement(o.hint || o.select + '-hint', $select.closest('.form-row'));
    let current = o.value === undefined || o.value === null ? '' : String(o.value);
    let currentName = o.name ? String(o.name) : '';
    let seq = 0;

    $refresh.attr('title', tr(node, 'editor.refresh'));

    function addOption(value, label, name) {
      $('<option></option>').val(value).text(label).attr('data-name', name || '').appendTo($select);
    }

    function render(items) {
      $select.empty();
      let found = false;
      if (typeof o.emptyLabel === 'string') {
        addOption('', o.emptyLabel, '');
        found = current === '';
      }
      (items || []).forEach(function (item) {
        addOption(item.value, item.label, item.name);
        if (item.value === current) {
          found = true;
          if (item.name && item.name !== currentName) {
            // renamed in the app: keep the stored name in step
            currentName = item.name;
            if ($name) {
              $name.val(currentName);
            }
          }
        }
      });
      if (!found && current !== '') {
        const shown = currentName || current;
        addOption(current, tr(node, items ? 'editor.notInList' : 'editor.saved', { name: shown }), currentName);
      }
      $select.val(current);
    }

    function mapItems(data) {
      const out = [];
      const seen = {};
      (Array.isArray(data) ? data : []).forEach(function (raw) {
        if (!raw || typeof raw !== 'object') {
          return;
        }
        const item = o.map(raw);
        if (!item || item.value === undefined || item.value === null || item.value === '') {
          return;
        }
        item.value = String(item.value);
        if (seen[item.value]) {
          return;
        }
        seen[item.value] = true;
        item.label = item.label ? String(item.label) : item.value;
        item.name = item.name ? String(item.name) : '';
        out.push(item);
      });
      return out;
    }

    function load() {
      const mine = ++seq;
      const url = o.url();
      if (!url) {
        render(null);
        showHint($hint, 'warn', tr(node, 'editor.noAccount'));
        return Promise.resolve();
      }
      setBusy($refresh, true);
      showHint($hint, 'loading', tr(node, 'editor.loading'));
      return fetchList(url).then(
        function (data) {
          if (mine !== seq) {
            return;
          }
          setBusy($refresh, false);
          if (!Array.isArray(data)) {
            render(null);
            showError(node, $hint, { message: 'unexpected answer (not a list)' });
            return;
          }
          const items = mapItems(data);
          render(items);
          showHint($hint, 'info', items.length ? '' : tr(node, 'editor.empty'));
        },
        function (err) {
          if (mine !== seq) {
            return;
          }
          setBusy($refresh, false);
          render(null);
          showError(node, $hint, err);
        },
      );
    }

    $select.on('change', function () {
      const value = $select.val();
      if (value === null || value === undefined) {
        return;
      }
      const $opt = $select.find('option:selected');
      const changed = value !== current;
      current = String(value);
      currentName = current === '' ? '' : $opt.attr('data-name') || '';
      if ($name) {
        $name.val(currentName);
      }
      if (changed && typeof o.onChange === 'function') {
        o.onChange(current);
      }
    });
    $refresh.on('click', function (event) {
      event.preventDefault();
      load();
    });

    // Until the list arrives, offer the stored value so that an early "Done" keeps it.
    render(null);
    if ($name) {
      $name.val(currentName);
    }

    return {
      load: load,
      value: function () {
        return current;
      },
    };
  }

  // ---------------------------------------------------------------- remote read-only list

  // ---------------------------------------------------------------- wiring per cloud

  /**
   * Wire the Qivivo target fields of a flow node form: account picker (#node-input-account),
   * housing select (#node-input-housing + #node-input-housingName), and optionally the
   * pilot-wire zone select (#node-input-zone + #node-input-zoneName) and the program list
   * (#node-input-programs-list).
   * @param {object} node
   * @param {object} [opts] { zone: boolean, programs: boolean }
   */
  function setupQivivo(node, opts) {
    opts = opts || {};
    forgetConnections();
    const accountSel = '#node-input-account';
    const account = function () {
      return accountId(accountSel, node.account);
    };
    let zone = null;
    let programs = null;

    const housing = remoteSelect(node, {
      select: '#node-input-housing',
      nameInput: '#node-input-housingName',
      value: node.housing,
      name: node.housingName,
      emptyLabel: tr(node, 'option.firstHousing'),
      url: function () {
        const id = account();
        return id ? urls.housings(id) : null;
      },
      map: function (item) {
        return { value: item.id, label: item.name || item.id, name: item.name || '' };
      },
      onChange: function () {
        if (zone) {
          zone.load();
        }
        if (programs) {
          programs.load();
        }
      },
    });

    if (opts.zone) {
      zone = remoteSelect(node, {
        select: '#node-input-zone',
        nameInput: '#node-input-zoneName',
        value: node.zone,
        name: node.zoneName,
        emptyLabel: tr(node, 'option.fromMsgZone'),
        url: function () {
          const id = account();
          return id ? urls.zones(id, housing.value()) : null;
        },
        map: function (item) {
          // the thermostat's own zone follows the setpoint: only fil-pilote zones take orders
          if (item.kind !== 'pilot-wire') {
            return null;
          }
          return { value: item.id, label: item.name || item.id, name: item.name || '' };
        },
      });
    }

    if (opts.program) {
      programs = remoteSelect(node, {
        select: '#node-input-program',
        nameInput: '#node-input-programName',
        value: node.program,
        name: node.programName,
        emptyLabel: tr(node, 'option.fromPayload'),
        url: function () {
          const id = account();
          return id ? urls.programs(id, housing.value()) : null;
        },
        map: function (item) {
          const name = item.name || item.id;
          if (!name) {
            return null;
          }
          const label = item.active === true ? name + ' (' + tr(node, 'editor.active') + ')' : name;
          return { value: item.id, label: String(label), name: String(name) };
        },
      });
    }

    function reload() {
      housing.load();
      if (zone) {
        zone.load();
      }
      if (programs) {
        programs.load();
      }
    }
    onAccountChange(accountSel, node.account, reload);
    reload();
    return { housing: housing, zone: zone, programs: programs, reload: reload };
  }

  /**
   * Wire the Veolia contract select (#node-input-contract + #node-input-contractLabel) to the
   * account picker (#node-input-account).
   */
  function setupVeolia(node) {
    forgetConnections();
    const accountSel = '#node-input-account';
    const contract = remoteSelect(node, {
      select: '#node-input-contract',
      nameInput: '#node-input-contractLabel',
      value: node.contract,
      name: node.contractLabel,
      emptyLabel: tr(node, 'option.firstContract'),
      url: function () {
        const id = accountId(accountSel, node.account);
        return id ? urls.contracts(id) : null;
      },
      map: function (item) {
        const name = item.label || String(item.id);
        const label = item.meter ? name + ' · ' + tr(node, 'option.meter', { meter: item.meter }) : name;
        return { value: item.id, label: label, name: name };
      },
    });
    onAccountChange(accountSel, node.account, function () {
      contract.load();
    });
    contract.load();
    return { contract: contract };
  }

  // ---------------------------------------------------------------- validators

  function isBlank(v) {
    return v === undefined || v === null || String(v).trim() === '';
  }

  function isIntIn(v, min, max) {
    if (isBlank(v)) {
      return false;
    }
    const text = String(v).trim();
    if (!INT_RE.test(text)) {
      return false;
    }
    const n = Number(text);
    return n >= min && n <= max;
  }

  function isLoopbackHost(host) {
    const h = String(host).toLowerCase();
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
  }

  /** https:// anywhere, http:// only for loopback hosts (product-spec §2.1). */
  function isAllowedUrl(v) {
    if (isBlank(v)) {
      return false;
    }
    let u;
    try {
      u = new URL(String(v).trim());
    } catch (err) {
      return noteError(err, false);
    }
    if (u.username || u.password) {
      return false;
    }
    if (u.protocol === 'https:') {
      return !!u.hostname;
    }
    return u.protocol === 'http:' && isLoopbackHost(u.hostname);
  }

  // Node-RED (>= 3.1) shows the returned string as the reason when a validator takes two
  // arguments (value, opt); `this` is the node being validated.
  function makeValidator(test, key, vars) {
    return function (v, opt) {
      if (test(v)) {
        return true;
      }
      return opt ? tr(this, 'validation.' + key, vars) : false;
    };
  }

  const validators = {
    /** Whole number in [min, max]. */
    intRange: function (min, max, key) {
      return makeValidator(
        function (v) {
          return isIntIn(v, min, max);
        },
        key,
        { min: min, max: max },
      );
    },
    /**
     * A whole number in [min, max], or absent/empty (the runtime's default applies): for
     * properties added after a release, so that flows saved before them stay valid.
     */
    optionalIntRange: function (min, max, key) {
      return makeValidator(
        function (v) {
          return v === undefined || isBlank(v) || isIntIn(v, min, max);
        },
        key,
        { min: min, max: max },
      );
    },
    /** Empty, or a number in [min, max] in steps of `step` (e.g. a setpoint 5–30 °C by 0.5). */
    optionalNumberRange: function (min, max, step, key) {
      return makeValidator(
        function (v) {
          if (isBlank(v)) {
            return true;
          }
          const n = Number(String(v).trim());
          return Number.isFinite(n) && n >= min && n <= max && Math.abs(n / step - Math.round(n / step)) < 1e-9;
        },
        key,
        { min: min, max: max },
      );
    },
    /** HH:MM, 00:00–23:59. */
    time: function (key) {
      return makeValidator(
        function (v) {
          return TIME_RE.test(String(v === undefined || v === null ? '' : v).trim());
        },
        key,
      );
    },
    /** https:// URL, or http:// to a loopback host. */
    url: function (key) {
      return makeValidator(isAllowedUrl, key);
    },
    /** Non-empty text without spaces (ids). */
    token: function (key) {
      return makeValidator(function (v) {
        return !isBlank(v) && !/\s/.test(String(v).trim());
      }, key);
    },
    /** Non-empty text. */
    required: function (key) {
      return makeValidator(function (v) {
        return !isBlank(v);
      }, key);
    },
    /** Something that looks like an e-mail address. */
    email: function (key) {
      return makeValidator(function (v) {
        return !isBlank(v) && /^[^\s@]+@[^\s@]+$/.test(String(v).trim());
      }, key);
    },
  };

  // Node-RED outlines an invalid field in red as soon as the dialog opens; a field marked
  // "qv-untouched" keeps its normal border until the user changes it. The validators stay
  // honest: the node's own `valid` (the red triangle) still reflects its saved values.
  function untouchedStyle() {
    if (window.document.getElementById('qv-untouched-style')) {
      return;
    }
    $('<style id="qv-untouched-style"></style>')
      .text(
        '.red-ui-editor .qv-untouched.input-error, .red-ui-editor .qv-untouched + .red-ui-typedInput-container.input-error' +
          ' { border-color: var(--red-ui-form-input-border-color, #ccc) !important; }',
      )
      .appendTo('head');
  }

  /** Whether the node being edited is already in the workspace (a new config node is not). */
  function isSaved(node) {
    return !!(window.RED && window.RED.nodes && typeof window.RED.nodes.node === 'function' && window.RED.nodes.node(node.id));
  }

  /**
   * Visible feedback under each listed field: the validator's message is shown in red below the
   * row while the value is invalid, once the user changed the field in this dialog — or at once
   * for a saved node whose stored value is invalid (the red triangle the user came to fix).
   * @param {object} node node being edited
   * @param {string} prefix "node-input" or "node-config-input"
   * @param {string[]} props property (or credential) names with a `validate` function
   * @returns {function(): boolean} re-checks every field, true when all are valid
   */
  function watchValidation(node, prefix, props) {
    const checks = [];
    const saved = isSaved(node);
    untouchedStyle();
    props.forEach(function (prop) {
      const def =
        (node._def && node._def.defaults && node._def.defaults[prop]) ||
        (node._def && node._def.credentials && node._def.credentials[prop]);
      const $input = $('#' + prefix + '-' + prop);
      if (!def || typeof def.validate !== 'function' || !$input.length) {
        return;
      }
      const $row = $input.closest('.form-row');
      const $msg = $('<div class="form-row qv-error"></div>')
        .css({
          'margin-left': '105px',
          'margin-top': '-6px',
          'font-size': '0.9em',
          color: 'var(--red-ui-text-color-error, #d6615f)',
        })
        .hide()
        .insertAfter($row);
      let touched = false;
      const check = function () {
        const value = $input.val();
        let result;
        try {
          // like Node-RED: $(ENV) / ${ENV} references are resolved at run time, accept them
          result = ENV_RE.test(String(value)) ? true : def.validate.call(node, value, {});
        } catch (err) {
          result = noteError(err, tr(node, 'validation.invalid'));
        }
        if (result === true) {
          $msg.text('').hide();
          return true;
        }
        $msg.text(typeof result === 'string' ? result : tr(node, 'validation.invalid')).toggle(touched);
        return false;
      };
      $input.on('change input keyup', function (event) {
        // only the user's own edits (not a value set by the dialog's code) count as a touch
        if (event && event.originalEvent && !touched) {
          touched = true;
          $input.removeClass('qv-untouched');
        }
        check();
      });
      checks.push(check);
      // A saved node's invalid value shows at once; a new node's empty fields wait for a touch.
      touched = saved && !check();
      $input.toggleClass('qv-untouched', !touched);
      check();
    });
    return function () {
      return checks.map(function (check) {
        return check();
      }).every(Boolean);
    };
  }

  // ---------------------------------------------------------------- collapsible section

  /**
   * Collapsible section (e.g. "Advanced"): clicking `toggle` shows/hides `section`.
   * @returns {function(boolean): void} open/close programmatically
   */
  function collapsible(toggle, section, open) {
    const $toggle = $(toggle);
    const $section = $(section);
    const $caret = $toggle.find('i.fa').first();
    function set(show) {
      $section.toggle(!!show);
      $caret.toggleClass('fa-caret-down', !!show).toggleClass('fa-caret-right', !show);
    }
    $toggle.css('cursor', 'pointer').on('click', function (event) {
      event.preventDefault();
      set(!$section.is(':visible'));
    });
    set(!!open);
    return set;
  }

  // ---------------------------------------------------------------- rows every node shares

  // The form rows every flow node has, written once: a template holds
  // <div data-qv-rows="name account housing"></div> and gets these rows, with the element ids the
  // rest of this file and Node-RED use (node-input-<prop>). Texts come from the node's own catalog.
  const PICKER_ROWS = {
    housing: { icon: 'fa-home', name: 'housingName' },
    zone: { icon: 'fa-th-large', name: 'zoneName' },
    program: { icon: 'fa-calendar', name: 'programName' },
    schedule: { icon: 'fa-list-alt', name: 'scheduleName' },
    contract: { icon: 'fa-file-text-o', name: 'contractLabel' },
  };

  function rowLabel(type, prop, icon) {
    return '<label for="node-input-' + prop + '"><i class="fa ' + icon + '"></i> <span data-i18n="' + type + '.label.' + prop + '"></span></label>';
  }

  /** A number field; `after` is HTML put after the unit (e.g. the "or msg.duration" hint). */
  function numberRow(type, prop, icon, min, max, unit, step, after) {
    const unitHtml = unit ? ' <span data-i18n="' + type + '.unit.' + unit + '"></span>' : '';
    return '<div class="form-row">' + rowLabel(type, prop, icon) +
      '<input type="number" id="node-input-' + prop + '" min="' + min + '" max="' + max + '" step="' + (step || 1) + '" style="width:100px">' +
      unitHtml + (after || '') + '</div>';
  }

  function sharedRow(type, row) {
    if (row === 'name') {
      return '<div class="form-row">' + rowLabel(type, 'name', 'fa-tag') +
        '<input type="text" id="node-input-name" style="width:70%" data-i18n="[placeholder]' + type + '.placeholder.name"></div>';
    }
    if (row === 'account') {
      return '<div class="form-row">' + rowLabel(type, 'account', 'fa-user') + '<input type="text" id="node-input-account" style="width:70%"></div>';
    }
    if (row === 'retries') {
      return numberRow(type, 'retries', 'fa-repeat', 0, 10, '') + numberRow(type, 'retryDelay', 'fa-clock-o', 1, 3600, 'seconds');
    }
    if (row === 'duration') {
      // a message's msg.duration overrides the field (shared/input.ts parseDuration)
      const hint = ' <span class="qv-override" data-i18n="shared.form.orMsgDuration"></span>';
      return numberRow(type, 'duration', 'fa-hourglass-half', 1, 4320, 'minutes', 1, hint);
    }
    const picker = PICKER_ROWS[row];
    if (!picker) {
      return '';
    }
    return '<div class="form-row">' + rowLabel(type, row, picker.icon) +
      '<div style="display:inline-flex; width:70%; vertical-align:middle">' +
      '<select id="node-input-' + row + '" style="flex:1 1 auto; width:auto; min-width:0"></select>' +
      '<button type="button" id="node-input-' + row + '-refresh" class="red-ui-button" style="margin-left:6px" data-i18n="[title]' + type + '.editor.refresh"><i class="fa fa-refresh"></i></button>' +
      '</div><input type="hidden" id="node-input-' + picker.name + '"></div>' +
      '<div class="form-row qv-hint" id="node-input-' + row + '-hint" style="display:none"></div>';
  }

  /**
   * Put the shared rows into the edit template of `type` (once, when the node type registers):
   * Node-RED reads the template's text each time a dialog opens.
   */
  function sharedRows(type) {
    const el = window.document.querySelector('script[data-template-name="' + type + '"]');
    if (!el) {
      // the template follows the registering script in the node's file
      window.setTimeout(function () {
        if (window.document.querySelector('script[data-template-name="' + type + '"]')) {
          sharedRows(type);
        }
      }, 0);
      return;
    }
    el.textContent = el.textContent
      .replace(/<div data-qv-rows="([a-z ]+)"><\/div>/g, function (all, rows) {
        return rows.split(' ').map(function (row) {
          return sharedRow(type, row);
        }).join('');
      })
      // <div data-qv-number="prop icon min max step unit"></div>: one number field of the node
      .replace(/<div data-qv-number="([^"]+)"><\/div>/g, function (all, spec) {
        const p = spec.split(' ');
        return numberRow(type, p[0], p[1], p[2], p[3], p[5] || '', p[4]);
      });
  }

  // ---------------------------------------------------------------- labels

  /** `jane.doe@example.com` → `j…@example.com`: tells accounts apart without showing the address. */
  function maskEmail(value) {
    const text = String(value || '').trim();
    if (!text) {
      return '';
    }
    const at = text.lastIndexOf('@');
    return at > 0 ? text.charAt(0) + '…' + text.slice(at) : text.charAt(0) + '…';
  }

  /**
   * Label of an account: its name, else its masked e-mail (kept in the plain property `userHint`
   * when the dialog closes, since the editor loads credentials only into an open dialog).
   */
  function accountLabel(node, extra) {
    if (node.name) {
      return node.name;
    }
    const base = node._(node.type + '.paletteLabel');
    const who = node.userHint ? ' · ' + node.userHint : '';
    return base + (extra ? ' · ' + extra : '') + who;
  }

  /** In an account's oneditsave: keep the masked e-mail of the username field for the label. */
  function keepUserHint(node) {
    const typed = $('#node-config-input-username').val();
    if (typeof typed === 'string') {
      node.userHint = maskEmail(typed);
    }
  }

  /** Flow node label: its name, else "<target> · <what>", else the palette label. */
  function nodeLabel(node, target, what) {
    if (node.name) {
      return node.name;
    }
    return target ? target + ' · ' + node._(node.type + '.nodeLabel.' + what) : node._(node.type + '.paletteLabel');
  }

  /** Shared registerType members of the flow nodes (input: the key of the input's label). */
  const flowNode = {
    paletteLabel: function () {
      return this._(this.type + '.paletteLabel');
    },
    labelStyle: function () {
      return this.name ? 'node_label_italic' : '';
    },
    inputLabels: function (input) {
      return function () {
        return this._(this.type + '.inputs.' + input);
      };
    },
    outputLabels: function (index) {
      return this._(this.type + (index === 0 ? '.outputs.result' : '.outputs.error'));
    },
  };

  window.QivivoVeoliaEditor = {
    version: VERSION,
    tr: tr,
    urls: urls,
    fetchJSON: fetchJSON,
    fetchList: fetchList,
    postJSON: postJSON,
    connect: connect,
    formBody: formBody,
    editedAccount: editedAccount,
    rememberConnection: rememberConnection,
    connectMessage: connectMessage,
    connectButton: connectButton,
    accountId: accountId,
    onAccountChange: onAccountChange,
    hintElement: hintElement,
    showHint: showHint,
    showError: showError,
    remoteSelect: remoteSelect,
    setupQivivo: setupQivivo,
    setupVeolia: setupVeolia,
    validators: validators,
    isAllowedUrl: isAllowedUrl,
    watchValidation: watchValidation,
    collapsible: collapsible,
    sharedRows: sharedRows,
    maskEmail: maskEmail,
    accountLabel: accountLabel,
    keepUserHint: keepUserHint,
    nodeLabel: nodeLabel,
    flowNode: flowNode,
    lastError: function () {
      return lastError;
    },
  };
})();
