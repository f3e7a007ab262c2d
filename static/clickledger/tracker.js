/*! Clickledger tracker: first-party click capture, conversions shared with the TikTok pixel.
 *
 * <script async src="https://YOUR-CLICKLEDGER/static/clickledger/tracker.js"
 *         data-key="pk_..." data-track-forms="SubmitForm"></script>
 *
 * data-key            the site's public key (required)
 * data-endpoint       collector base URL (default: this script's origin + /api/v1/collect/)
 * data-cookie-days    how long a touch's campaign values are kept (default 28)
 * data-requires-consent="true"  store and send nothing until Clickledger.consent(true)
 * data-track-forms    event name sent on every form submit (empty: off)
 * data-cookie-domain  e.g. .example.com to share the cookie across subdomains
 *
 * No dependencies, one cookie of our own ("_cl") mirrored in localStorage.
 */
(function (window, document) {
  "use strict";
  if (window.Clickledger && window.Clickledger.version) return;

  var STORE = "_cl";
  var PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                "ttclid", "fbclid", "gclid"];
  var CLICK_IDS = ["ttclid", "fbclid", "gclid"];
  var DAY = 86400000;

  var script = document.currentScript || document.querySelector("script[data-key]") || {};
  var data = (script.dataset) || {};
  var cfg = {
    key: data.key || "",
    endpoint: data.endpoint || (script.src ? new URL("/api/v1/collect/", script.src).href : "/api/v1/collect/"),
    days: parseFloat(data.cookieDays || "28") || 28,
    requiresConsent: data.requiresConsent === "true",
    trackForms: data.trackForms === undefined ? "" : data.trackForms,
    cookieDomain: data.cookieDomain || ""
  };
  var custom = window.ClickledgerConfig || {};
  for (var name in custom) if (Object.prototype.hasOwnProperty.call(custom, name)) cfg[name] = custom[name];

  var state = null;          // {v: visitor id, c: consent given, t: touch values, x: touch expiry ms}
  var pendingTouch = null;   // a touch seen before consent; sent once consent is given

  // --- storage: our own cookie, mirrored in localStorage (the longer-lived of the two wins) --------
  function readCookie() {
    var match = document.cookie.match(/(?:^|;\s*)_cl=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function load() {
    var raw = "";
    try { raw = window.localStorage.getItem(STORE) || ""; } catch (e) { /* storage blocked */ }
    raw = raw || readCookie();
    try { return raw ? JSON.parse(raw) : null; } catch (e) { return null; }
  }

  function save() {
    if (!state || !allowed()) return;
    var raw = JSON.stringify(state);
    var cookie = STORE + "=" + encodeURIComponent(raw) + "; path=/; max-age=" +
      Math.round(cfg.days * 86400) + "; SameSite=Lax";
    if (cfg.cookieDomain) cookie += "; domain=" + cfg.cookieDomain;
    if (window.location.protocol === "https:") cookie += "; Secure";
    document.cookie = cookie;
    try { window.localStorage.setItem(STORE, raw); } catch (e) { /* storage blocked */ }
  }

  function forget() {
    document.cookie = STORE + "=; path=/; max-age=0" + (cfg.cookieDomain ? "; domain=" + cfg.cookieDomain : "");
    try { window.localStorage.removeItem(STORE); } catch (e) { /* storage blocked */ }
  }

  function allowed() { return !cfg.requiresConsent || (state && state.c === 1); }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- sending ----------------------------------------------------------------------------------
  function send(path, payload) {
    if (!allowed() || !cfg.key) return false;
    payload.key = cfg.key;
    payload.visitor_id = state.v;
    payload.consent = true;
    var url = cfg.endpoint + path + "?k=" + encodeURIComponent(cfg.key);
    var body = JSON.stringify(payload);
    // text/plain keeps both ways CORS-simple: no preflight, and the beacon survives navigation.
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return true;
    if (window.fetch) {
      window.fetch(url, {method: "POST", body: body, keepalive: true, mode: "cors",
                         credentials: "omit", headers: {"Content-Type": "text/plain"}})
        ["catch"](function () { /* the collector is down: drop rather than block the page */ });
      return true;
    }
    return false;
  }

  // --- landing: a new paid click starts a new touch; internal navigation does not ----------------
  function campaignValues() {
    var query = new URLSearchParams(window.location.search);
    var values = {}, any = false;
    PARAMS.forEach(function (p) { values[p] = (query.get(p) || "").slice(0, 255); any = any || !!values[p]; });
    return any ? values : null;
  }

  function referrerHost() {
    try { return document.referrer ? new URL(document.referrer).host : ""; } catch (e) { return ""; }
  }

  function sameTouch(a, b) {
    return !!a && PARAMS.every(function (p) { return (a[p] || "") === (b[p] || ""); });
  }

  function land() {
    var now = Date.now();
    var firstVisit = !state;
    state = state || {v: uuid(), c: 0};
    if (state.t && state.x < now) { delete state.t; delete state.x; }
    var values = campaignValues();
    var external = referrerHost() && referrerHost() !== window.location.host;
    var touch = null;
    if (values && !sameTouch(state.t, values)) {
      touch = values;
      state.t = values;
      state.x = now + cfg.days * DAY;
    } else if (!values && (external || firstVisit)) {
      touch = {};  // organic, referral or direct: part of the journey, keeps stored campaign values
    }
    if (touch) {
      touch.touch_key = uuid().replace(/-/g, "");
      touch.landing_url = window.location.href.slice(0, 2048);
      touch.referrer = document.referrer.slice(0, 2048);
      pendingTouch = touch;
    }
    flush();
  }

  function flush() {
    if (!allowed()) return;
    save();
    if (pendingTouch && send("touch", pendingTouch)) pendingTouch = null;
    fillForms(document);
  }

  // --- hidden form fields, also in forms added later -----------------------------------------------
  function fieldValues() {
    var values = {cl_visitor_id: state.v};
    PARAMS.forEach(function (p) { values[p] = (state.t && state.t[p]) || ""; });
    return values;
  }

  function setField(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    if (input.type === "hidden" || !input.value) input.value = value;
  }

  function fillForms(root) {
    if (!allowed() || !root.querySelectorAll) return;
    var values = fieldValues();
    var forms = root.tagName === "FORM" ? [root] : root.querySelectorAll("form");
    Array.prototype.forEach.call(forms, function (form) {
      for (var n in values) if (Object.prototype.hasOwnProperty.call(values, n)) setField(form, n, values[n]);
    });
  }

  function watchForms() {
    if (!window.MutationObserver) return;
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) {
        Array.prototype.forEach.call(m.addedNodes, function (node) { if (node.nodeType === 1) fillForms(node); });
      });
    }).observe(document.documentElement, {childList: true, subtree: true});
  }

  function onSubmit(event) {
    var form = event.target;
    if (!cfg.trackForms || !form || form.tagName !== "FORM" || !allowed()) return;
    fillForms(form);
    var eventId = track(cfg.trackForms, {form: form.id || form.getAttribute("name") || ""});
    // The backend receiving the form can send the server copy with this same id (dedup).
    if (eventId) setField(form, "cl_event_id", eventId);
  }

  // --- public API ---------------------------------------------------------------------------------
  function track(eventName, properties) {
    if (!allowed() || !eventName) return null;
    properties = properties || {};
    var eventId = properties.event_id || uuid();
    var payload = {event: String(eventName), event_id: eventId, properties: properties,
                   page_url: window.location.href.slice(0, 2048), referrer: document.referrer.slice(0, 2048),
                   ttclid: (state.t && state.t.ttclid) || "", ttp: ttpCookie()};
    if (properties.value !== undefined) payload.value = String(properties.value);
    if (properties.currency) payload.currency = String(properties.currency);
    send("event", payload);
    if (window.ttq && typeof window.ttq.track === "function") {
      window.ttq.track(eventName, properties, {event_id: eventId});
    }
    return eventId;
  }

  function ttpCookie() {
    var match = document.cookie.match(/(?:^|;\s*)_ttp=([^;]*)/);
    return match ? decodeURIComponent(match[1]).slice(0, 255) : "";
  }

  function identify(identity) {
    identity = identity || {};
    var payload = {};
    ["email", "phone", "external_id"].forEach(function (k) { if (identity[k]) payload[k] = String(identity[k]); });
    return allowed() && (payload.email || payload.phone || payload.external_id) ? send("identify", payload) : false;
  }

  function consent(granted) {
    if (granted) {
      state.c = 1;
      flush();
    } else {
      // Tell the collector first, while sending is still allowed: the person is then never
      // synced to an ad platform again, whatever this browser does next.
      send("consent", {opt_out: true});
      state.c = 0;
      pendingTouch = null;
      if (cfg.requiresConsent) forget();
    }
  }

  var api = {
    version: "1",
    track: track,
    identify: identify,
    consent: consent,
    visitorId: function () { return allowed() ? state.v : null; },
    values: function () { return allowed() ? fieldValues() : null; }
  };

  state = load();
  if (state && state.x && state.x < Date.now()) { delete state.t; delete state.x; }
  land();
  watchForms();
  document.addEventListener("submit", onSubmit, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fillForms(document); });
  }

  // Calls queued before the script loaded: window.clickledger = [["track", "ViewContent"], ...]
  var queued = window.clickledger;
  window.Clickledger = api;
  window.clickledger = {push: function (call) { return api[call[0]].apply(null, call.slice(1)); }};
  if (queued && queued.length) Array.prototype.forEach.call(queued, window.clickledger.push);
})(window, document);
