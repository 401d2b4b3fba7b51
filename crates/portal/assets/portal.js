// Lanyard portal: the little the pages need from JavaScript.
(function () {
  "use strict";

  // Sign-in links and canvas tokens arrive in the URL fragment (#token=…), which browsers never
  // send to a server, so no access log can record them; an Optix canvas without the fragment
  // macro gets `?token=…` instead. Read it once, take it out of the address bar and the
  // history, and hand it to the portal in a POST body: a GET never signs anyone in.
  var form = document.getElementById("token-form");
  if (form) {
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var query = new URLSearchParams(window.location.search);
    var token = fragment.get("token") || query.get("token");
    if (window.location.hash || query.has("token")) {
      query.delete("token");
      var rest = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
    }
    if (token) {
      form.elements.token.value = token;
      var waiting = document.getElementById("token-waiting");
      if (waiting) { waiting.hidden = false; }
      form.submit();
    } else {
      var missing = document.getElementById("token-missing");
      if (missing) { missing.hidden = false; }
    }
  }

  // Copy buttons: data-copy names the element whose text to copy.
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var text = source.textContent.trim();
      var status = document.getElementById(button.getAttribute("aria-describedby") || "");
      var done = function () {
        // The page's words (data-copied, in the page's language).
        if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(source, done); });
      } else {
        fallback(source, done);
      }
    });
  });

  function fallback(source, done) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected: copy by hand */ }
  }

  // Forms that change something show they are working and cannot be sent twice.
  var forms = document.querySelectorAll("form[data-once]");
  Array.prototype.forEach.call(forms, function (f) {
    f.addEventListener("submit", function () {
      var submit = f.querySelector("button[type=submit], button:not([type])");
      if (submit) { submit.disabled = true; submit.setAttribute("aria-busy", "true"); }
    });
  });
})();
