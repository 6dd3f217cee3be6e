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
    return { status: status, code: code, message: message, notDeployed: code === 'NOT_DEPLOYED' };
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
      return fetchJSON(url).then(
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

  /**
   * Visible feedback under each listed field: the validator's message is shown in red below the
   * row while the value is invalid (Node-RED itself only outlines the field).
   * @param {object} node node being edited
   * @param {string} prefix "node-input" or "node-config-input"
   * @param {string[]} props property (or credential) names with a `validate` function
   * @returns {function(): boolean} re-checks every field, true when all are valid
   */
  function watchValidation(node, prefix, props) {
    const checks = [];
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
        $msg.text(typeof result === 'string' ? result : tr(node, 'validation.invalid')).show();
        return false;
      };
      $input.on('change input keyup', check);
      checks.push(check);
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

  window.QivivoVeoliaEditor = {
    version: VERSION,
    tr: tr,
    urls: urls,
    fetchJSON: fetchJSON,
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
    lastError: function () {
      return lastError;
    },
  };
})();
