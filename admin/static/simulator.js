// The browser phone: every key goes to the server, which posts the signed webhook and walks the TwiML.
(function () {
  var root = document.getElementById("simulator"), d = root.dataset, $ = function (id) { return document.getElementById(id); };
  var sid = null, waiting = null, typed = "", queue = [], player = $("player");

  function post(path, fields) {
    var body = new URLSearchParams(fields || {});
    return fetch(d.base + path, {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"X-CSRF-Token": d.csrf}}).then(function (r) { return r.json(); });
  }
  function line(cls, text) {
    var p = document.createElement("p"); p.className = cls; p.textContent = text;
    $("screen").appendChild(p); $("screen").scrollTop = 1e6;
  }
  function playNext() {  // <Play> URLs are played in order; <Say> text is shown
    if (!player.paused || !queue.length) return;
    player.src = queue.shift(); player.play().catch(function () { queue = []; });
  }
  player.addEventListener("ended", playNext);
  function setWaiting(w) {
    waiting = w; typed = "";
    var live = !!w;
    document.querySelectorAll("#keypad button, #send-keys, #silence, #say").forEach(function (b) { b.disabled = !live; });
    $("hangup").disabled = !sid; $("call").disabled = !!sid;
    $("waiting").textContent = w ? d[w.kind] || "" : "";
  }
  function show(res) {
    if (res.message) line("end", res.message);  // refused (a bad number): say why
    (res.events || []).forEach(function (e) {
      if (e.kind === "say") line("say", e.text);
      else if (e.kind === "play") { line("play", e.text || e.url.split("/").pop()); queue.push(e.url); }
      else if (e.kind === "hangup") line("end", d.ended);
      else if (e.kind === "error") line("end", d.error + " " + e.text);
      else if (e.kind === "dial") line("say", e.text);
    });
    playNext();
    sid = res.waiting ? res.call_sid : null;
    setWaiting(res.waiting);
  }
  function answer(value) {
    if (!sid) return;
    line("you", d.you + ": " + (value || "…"));
    var s = sid; setWaiting(null); sid = s;
    post("/call/" + s + "/input", {input: value}).then(show);
  }
  $("call").onclick = function () {
    $("screen").textContent = ""; queue = [];
    post("/call", {caller: $("caller").value}).then(show);
  };
  $("hangup").onclick = function () { if (sid) post("/call/" + sid + "/hangup").then(show); };
  document.querySelectorAll("#keypad button").forEach(function (b) {
    b.onclick = function () {
      if (waiting && waiting.kind === "dial") { answer(b.dataset.key === "1" ? "y" : "n"); return; }
      typed += b.dataset.key;
      var w = waiting && waiting.attrs, n = w && parseInt(w.numDigits || "0", 10);
      var finish = w && (w.finishOnKey === undefined ? "#" : w.finishOnKey);
      if ((n && typed.length >= n) || (finish && b.dataset.key === finish)) answer(typed);
      else $("waiting").textContent = typed;
    };
  });
  $("send-keys").onclick = function () { answer(typed); };
  $("silence").onclick = function () { answer(""); };
  $("say").onclick = function () {  // words are heard at a recording: let a keypad prompt time out first
    var words = $("words").value; $("words").value = "";
    if (!sid || !waiting) return;
    if (waiting.kind !== "gather") { answer(words); return; }
    var s = sid; setWaiting(null); sid = s;
    post("/call/" + s + "/input", {input: ""}).then(function (res) {
      show(res);
      if (res.waiting && res.waiting.kind === "record") answer(words);
    });
  };

  function bubble(cls, text) {
    var p = document.createElement("p"); p.className = cls; p.textContent = text; $("bubbles").appendChild(p);
  }
  function outbox(rows) {
    document.querySelectorAll("#bubbles .queued").forEach(function (p) { p.remove(); });
    rows.slice().reverse().forEach(function (r) { bubble("out queued", r.body + " · " + r.state); });
  }
  $("sms-send").onclick = function () {
    var body = $("sms-body").value; if (!body) return;
    bubble("in", body); $("sms-body").value = "";
    post("/sms", {phone: $("caller").value, body: body}).then(function (res) {
      if (res.message) bubble("out", res.message);
      (res.replies || []).forEach(function (r) { bubble("out", r); });
      if (res.outbox) outbox(res.outbox);
    });
  };
  $("sms-refresh").onclick = function () {
    fetch(d.base + "/sms?phone=" + encodeURIComponent($("caller").value), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (res) { if (res.outbox) outbox(res.outbox); });
  };
})();
