// OneStop live e-Auction page (P-17 to P-20).
//
// The page embeds the auction's state as this viewer may see it (<script id="auction-state">)
// and follows ws(s)://<host>/ws/auctions/<reference>/ (procurement/consumers.py):
//
//   server → {"type": "state", "state": {...}}   on connect (with the last 50 bids) and after
//                                                 every bid or the close (the last 10 bids)
//   client → {"type": "catch_up", "after": N}    sent on every (re)connect with the last
//   server → {"type": "bids", "bids": [...]}     sequence this page has, and when a state's
//                                                 bids leave a gap; the bids it missed
//
// The countdown runs on the server's clock: every state carries server_time, and the page keeps
// the difference to its own clock. A dropped connection shows "reconnecting…" and retries with
// a growing, jittered delay (0.5 s doubling up to 10 s); states never go backwards (a state with
// fewer bids than the one shown is ignored).
//
// Bids go to POST /api/procurement/auctions/<reference>/bids as JSON with the CSRF token and a
// request id made fresh for each submit (crypto.randomUUID). A network failure is retried with
// the same request id, so a bid is never placed twice; "acknowledged #N" is shown only once the
// server answered 201 (new) or 200 (the same bid again), and a refusal shows the server's own
// message in the page's language.
//
// Amounts are handled as strings and satang (BigInt), never as floating point.
(function () {
  "use strict";

  var root = document.getElementById("auction-live");
  var embedded = document.getElementById("auction-state");
  if (!root || !embedded) { return; }

  var MESSAGES = {
    th: {
      connecting: "กำลังเชื่อมต่อ…",
      live: "ถ่ายทอดสด",
      reconnecting: "กำลังเชื่อมต่อใหม่…",
      offline: "ไม่ได้เชื่อมต่อ",
      opensIn: "เปิดประมูลในอีก",
      timeLeft: "เวลาที่เหลือ",
      closing: "กำลังปิดการประมูล…",
      closed: "ปิดการประมูลแล้ว",
      phase: { upcoming: "ยังไม่เปิด", running: "กำลังประมูล", closing: "กำลังปิด",
               closed: "ปิดแล้ว", cancelled: "ยกเลิก" },
      you: "ท่าน",
      noBids: "ยังไม่มีผู้เสนอราคา",
      yourLabel: "รหัสของท่าน",
      rank: "อันดับ",
      yourBest: "ราคาดีที่สุดของท่าน",
      lastAck: "ข้อเสนอล่าสุดที่ได้รับการยืนยัน",
      atMost: "เสนอได้ไม่เกิน {amount}",
      atLeast: "เสนอได้ไม่ต่ำกว่า {amount}",
      sending: "กำลังส่งข้อเสนอ…",
      acknowledged: "ระบบรับข้อเสนอแล้ว #{sequence} · {amount}",
      replayed: "(ข้อเสนอเดิม ไม่ได้เสนอซ้ำ)",
      badAmount: "กรอกจำนวนเงินเป็นบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 995000 หรือ 995,000.50",
      network: "ส่งข้อเสนอไม่สำเร็จเพราะการเชื่อมต่อขัดข้อง ยังไม่มีการยืนยันข้อเสนอนี้ ลองส่งใหม่อีกครั้ง",
      refused: "ระบบไม่รับข้อเสนอ (HTTP {status})",
      winner: "ผู้ชนะ",
      winningPrice: "ราคาที่ชนะ",
      savings: "ประหยัดได้เทียบกับราคากลาง",
      gain: "สูงกว่าราคาเริ่มต้น",
      reserve: "ราคาขั้นต่ำที่ยอมขาย",
      reserveMet: "ถึงราคาขั้นต่ำ",
      reserveNotMet: "ไม่ถึงราคาขั้นต่ำ จึงไม่ขาย",
      noWinner: "ไม่มีผู้เสนอราคา จึงไม่มีผู้ชนะ",
      months: ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"],
    },
    en: {
      connecting: "Connecting…",
      live: "Live",
      reconnecting: "Reconnecting…",
      offline: "Not connected",
      opensIn: "Opens in",
      timeLeft: "Time left",
      closing: "Closing…",
      closed: "Closed",
      phase: { upcoming: "Upcoming", running: "Running now", closing: "Closing",
               closed: "Closed", cancelled: "Cancelled" },
      you: "you",
      noBids: "No bids yet.",
      yourLabel: "Your label",
      rank: "rank",
      yourBest: "your best bid",
      lastAck: "Last acknowledged bid",
      atMost: "Bid at most {amount}",
      atLeast: "Bid at least {amount}",
      sending: "Sending your bid…",
      acknowledged: "Acknowledged #{sequence} · {amount}",
      replayed: "(the same bid again, not placed twice)",
      badAmount: "Enter an amount in baht with at most two decimals, like 995000 or 995,000.50.",
      network: "The bid could not be sent (network problem) and is not acknowledged; send it again.",
      refused: "The bid was refused (HTTP {status}).",
      winner: "Winner",
      winningPrice: "Winning price",
      savings: "Savings against the reference price",
      gain: "Above the start price",
      reserve: "Reserve price",
      reserveMet: "met",
      reserveNotMet: "not met: no sale",
      noWinner: "No bids: no winner.",
      months: ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"],
    },
  };
  var lang = (document.documentElement.lang || "th").toLowerCase().startsWith("th") ? "th" : "en";
  var T = MESSAGES[lang];

  var kind = root.dataset.kind;
  var reverse = kind === "reverse";
  var referencePrice = satang(root.dataset.referencePrice);
  var startPrice = satang(root.dataset.startPrice);
  var reservePrice = satang(root.dataset.reservePrice);

  var state = null;
  var offset = 0;                 // the server's clock minus this browser's, in ms
  var bids = new Map();           // sequence -> bid
  var socket = null;
  var attempts = 0;
  var retryTimer = null;
  var lastKick = 0;

  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // --- money: strings and satang ----------------------------------------------------------------

  function satang(text) {
    if (text === null || text === undefined) { return null; }
    var match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).replace(/,/g, "").trim());
    if (!match) { return null; }
    var value = BigInt(match[2]) * 100n + BigInt((match[3] || "").padEnd(2, "0") || "0");
    return match[1] ? -value : value;
  }

  function grouped(value) {
    var negative = value < 0n;
    if (negative) { value = -value; }
    var whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + whole + "." + (value % 100n).toString().padStart(2, "0");
  }

  function baht(value) {
    if (typeof value !== "bigint") { value = satang(value); }
    if (value === null) { return "—"; }
    return lang === "th" ? grouped(value) + " บาท" : "THB " + grouped(value);
  }

  function percent(part, whole) {  // to two decimals, half up
    var hundredths = (part * 10000n * 2n + whole) / (2n * whole);
    var negative = hundredths < 0n;
    if (negative) { hundredths = -hundredths; }
    return (negative ? "-" : "") + (hundredths / 100n).toString() + "." +
      (hundredths % 100n).toString().padStart(2, "0");
  }

  // --- time ---------------------------------------------------------------------------------------

  var bangkok = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Bangkok", year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });

  function parts(iso) {
    var result = {};
    bangkok.formatToParts(new Date(iso)).forEach(function (part) { result[part.type] = part.value; });
    return result;
  }

  function clock(iso) {
    var p = parts(iso);
    return p.hour + ":" + p.minute + ":" + p.second;
  }

  function moment(iso) {
    var p = parts(iso);
    var month = T.months[Number(p.month) - 1];
    if (lang === "th") {
      return Number(p.day) + " " + month + " " + (Number(p.year) + 543) + " เวลา " + clock(iso) + " น.";
    }
    return Number(p.day) + " " + month + " " + p.year + ", " + clock(iso);
  }

  function hms(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return [h, m, s].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
  }

  function serverNow() { return Date.now() + offset; }

  function phase() {
    if (state.status !== "scheduled") { return state.status; }
    var now = serverNow();
    if (now < Date.parse(state.opens_at)) { return "upcoming"; }
    return now < Date.parse(state.ends_at) ? "running" : "closing";
  }

  // --- state ----------------------------------------------------------------------------------------

  function older(next, current) {
    var a = [next.bids_count, next.status === "scheduled" ? 0 : 1];
    var b = [current.bids_count, current.status === "scheduled" ? 0 : 1];
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  function apply(next) {
    offset = Date.parse(next.server_time) - Date.now();
    if (state && older(next, state)) { return; }
    // A change carries only the last few bids: a gap between the bids this page has and the
    // oldest of them (missed states) is asked for, like after a reconnect.
    var known = lastSequence();
    var first = (next.bids || []).length ? next.bids[0].sequence : null;
    var gap = state !== null && first !== null && first > known + 1;
    state = next;
    (next.bids || []).forEach(addBid);
    render();
    if (gap && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "catch_up", after: known }));
    }
  }

  function addBid(bid) { bids.set(bid.sequence, bid); }

  function lastSequence() {
    var last = 0;
    bids.forEach(function (_, sequence) { if (sequence > last) { last = sequence; } });
    return Math.max(last, 0);
  }

  function text(id, value) { var element = $(id); if (element) { element.textContent = value; } }

  function cell(row, value, className, hidden) {
    var td = document.createElement("td");
    td.textContent = value;
    if (className) { td.className = className; }
    if (hidden) { td.hidden = true; }
    row.appendChild(td);
    return td;
  }

  function emptyRow(body, columns) {
    var row = document.createElement("tr");
    row.className = "empty";
    var td = cell(row, T.noBids);
    td.colSpan = columns;
    body.appendChild(row);
  }

  function render() {
    var names = state.names || null;
    var own = new Set((state.me || []).map(function (mine) { return mine.label; }));
    var status = $("auction-status");
    if (status) { status.dataset.status = state.status; }
    text("best-amount", state.best_amount ? baht(state.best_amount) : "—");
    text("best-label", state.best_label || "");
    text("bids-count", String(state.bids_count));
    text("extensions", String(state.extensions));
    text("next-step", baht(state.next_step));
    var nextStep = $("next-step-line");
    if (nextStep) { nextStep.hidden = state.status !== "scheduled"; }
    var ends = $("ends-at");
    if (ends && ends.dataset.endsAt !== state.ends_at) {
      ends.dataset.endsAt = state.ends_at;
      ends.textContent = moment(state.ends_at);
    } else if (ends && !ends.dataset.rendered) {
      ends.textContent = moment(state.ends_at);
    }
    if (ends) { ends.dataset.rendered = "1"; }
    var opens = $("opens-at");
    if (opens) { opens.textContent = moment(state.opens_at); }

    document.querySelectorAll("#standings .name-col, #history .name-col").forEach(function (c) {
      c.hidden = !names;
    });

    var standings = document.querySelector("#standings tbody");
    if (standings) {
      standings.textContent = "";
      state.standings.forEach(function (entry, index) {
        var row = document.createElement("tr");
        row.dataset.label = entry.label;
        if (own.has(entry.label)) { row.className = "own"; }
        cell(row, String(index + 1));
        cell(row, entry.label + (own.has(entry.label) ? " (" + T.you + ")" : ""));
        cell(row, names ? names[entry.label] || "" : "", "name-col", !names);
        cell(row, baht(entry.amount), "num");
        standings.appendChild(row);
      });
      if (!state.standings.length) { emptyRow(standings, 4); }
    }
    renderHistory();
    renderMine();
    renderHint();
    renderResult();
    tick();
  }

  function renderHistory() {
    var body = document.querySelector("#history tbody");
    if (!body || !state) { return; }
    var names = state.names || null;
    body.textContent = "";
    Array.from(bids.values())
      .sort(function (a, b) { return b.sequence - a.sequence; })
      .forEach(function (bid) {
        var row = document.createElement("tr");
        row.dataset.sequence = String(bid.sequence);
        cell(row, String(bid.sequence));
        cell(row, clock(bid.at));
        cell(row, bid.label);
        cell(row, names ? names[bid.label] || "" : "", "name-col", !names);
        cell(row, baht(bid.amount), "num");
        cell(row, bid.extended_to ? clock(bid.extended_to) : "");
        body.appendChild(row);
      });
    if (!bids.size) { emptyRow(body, 6); }
  }

  function renderMine() {
    var box = $("my-standing");
    if (!box || !state.me) { return; }
    box.textContent = "";
    state.me.forEach(function (mine) {
      var line = document.createElement("p");
      line.dataset.label = mine.label;
      line.append(T.yourLabel + " ");
      var label = document.createElement("strong");
      label.textContent = mine.label;
      var rank = document.createElement("strong");
      rank.className = "my-rank";
      rank.textContent = mine.rank === null ? "—" : String(mine.rank);
      var amount = document.createElement("strong");
      amount.className = "my-amount";
      amount.textContent = mine.amount ? baht(mine.amount) : "—";
      line.append(label, " · " + T.rank + " ", rank, " · " + T.yourBest + " ", amount);
      box.appendChild(line);
    });
    if (lastAck) {
      var ack = document.createElement("p");
      ack.id = "my-last-bid";
      ack.textContent = T.lastAck + ": #" + lastAck.sequence + " · " + baht(lastAck.amount);
      box.appendChild(ack);
    }
  }

  function renderHint() {
    var hint = $("bid-hint");
    if (!hint) { return; }
    var best = satang(state.best_amount);
    var limit;
    if (best === null) {
      limit = startPrice;
    } else {
      var step = satang(state.next_step);
      limit = reverse ? best - step : best + step;
    }
    hint.textContent = fill(reverse ? T.atMost : T.atLeast, { amount: baht(limit) });
    var amount = $("amount");
    if (amount) { amount.placeholder = grouped(limit); }
  }

  function fact(list, term, value, id) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    dd.textContent = value;
    if (id) { dd.id = id; }
    list.append(dt, dd);
    return dd;
  }

  function renderResult() {
    var section = $("auction-result");
    var list = $("result-facts");
    if (!section || !list || state.status !== "closed") { return; }
    var panel = $("bid-panel");
    if (panel) { panel.hidden = true; }
    section.hidden = false;
    list.textContent = "";
    var best = satang(state.best_amount);
    if (best === null) {
      fact(list, T.winner, T.noWinner, "winner");
      return;
    }
    var name = state.names && state.names[state.best_label];
    fact(list, T.winner, (name ? name + " " : "") + "(" + state.best_label + ")", "winner");
    fact(list, T.winningPrice, baht(best), "winning-amount");
    if (reverse && referencePrice !== null && referencePrice > 0n) {
      var saved = fact(list, T.savings, baht(referencePrice - best) + " (", "savings");
      var share = document.createElement("span");
      share.id = "savings-percent";
      share.textContent = percent(referencePrice - best, referencePrice);
      saved.append(share, "%)");
    }
    if (!reverse) {
      fact(list, T.gain, baht(best - startPrice) + " (" + percent(best - startPrice, startPrice) + "%)",
        "gain");
      var met = reservePrice === null || best >= reservePrice;
      fact(list, T.reserve, met ? T.reserveMet : T.reserveNotMet, "reserve-met").dataset.met =
        String(met);
    }
  }

  function tick() {
    if (!state) { return; }
    var current = phase();
    var now = serverNow();
    var label, remaining = 0;
    if (current === "upcoming") {
      label = T.opensIn;
      remaining = Date.parse(state.opens_at) - now;
    } else if (current === "running") {
      label = T.timeLeft;
      remaining = Date.parse(state.ends_at) - now;
    } else if (current === "closing") {
      label = T.closing;
    } else {
      label = T.closed;
    }
    text("phase-label", label);
    text("countdown", hms(remaining));
    var status = $("auction-status");
    if (status) { status.textContent = T.phase[current] || current; }
    var button = $("bid-submit");
    if (button) { button.disabled = busy || current !== "running"; }
    // Past the end and still not closed: reconnect, and the server closes it (when no worker
    // did) as it reads the auction again.
    if (current === "closing" && now - Date.parse(state.ends_at) > 5000 &&
        Date.now() - lastKick > 10000 && socket && socket.readyState === WebSocket.OPEN) {
      lastKick = Date.now();
      socket.close(4000, "closing");
    }
  }

  // --- the connection --------------------------------------------------------------------------------

  function connection(kindOf) {
    var tag = $("connection");
    if (!tag) { return; }
    tag.dataset.state = kindOf;
    tag.textContent = T[kindOf];
    tag.className = "tag" + (kindOf === "live" ? " ok" : kindOf === "offline" ? " bad" : "");
  }

  function connect() {
    retryTimer = null;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + root.dataset.socketPath);
    socket = ws;
    ws.onopen = function () {
      attempts = 0;
      connection("live");
      ws.send(JSON.stringify({ type: "catch_up", after: lastSequence() }));
    };
    ws.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.type === "state") {
        apply(message.state);
      } else if (message.type === "bids") {
        message.bids.forEach(addBid);
        renderHistory();
      }
    };
    ws.onclose = function (event) {
      if (socket !== ws) { return; }
      socket = null;
      if (event.code === 4404) { connection("offline"); return; }
      connection("reconnecting");
      var delay = event.code === 4000 ? 200 : Math.min(10000, 500 * Math.pow(2, attempts));
      attempts += 1;
      retryTimer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5));
    };
  }

  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); connect(); }
  });

  // --- bidding -----------------------------------------------------------------------------------------

  var busy = false;
  var lastAck = null;

  function requestId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function show(id, message) {
    var box = $(id);
    if (!box) { return; }
    box.textContent = message || "";
    box.hidden = !message;
  }

  async function post(body) {
    // The same request id on every attempt: a retried bid is never a second bid.
    var failure;
    for (var attempt = 0; attempt < 3; attempt++) {
      try {
        return await fetch(root.dataset.bidUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                     "Accept": "application/json" },
          body: JSON.stringify(body),
        });
      } catch (error) {
        failure = error;
        await new Promise(function (resolve) { setTimeout(resolve, 400 * (attempt + 1)); });
      }
    }
    throw failure;
  }

  async function submit(form) {
    var field = form.querySelector("[name=amount]");
    var amount = satang(field.value);
    show("bid-ack", "");
    show("bid-error", "");
    if (amount === null || amount <= 0n) { show("bid-error", T.badAmount); return; }
    busy = true;
    tick();
    var sending = $("bid-submit");
    if (sending) { sending.setAttribute("aria-busy", "true"); }
    var supplier = form.querySelector("[name=supplier_id]");
    try {
      var response = await post({
        supplier_id: Number(supplier.value),
        amount: grouped(amount).replace(/,/g, ""),
        request_id: requestId(),
      });
      var body = null;
      try { body = await response.json(); } catch (error) { body = null; }
      if ((response.status === 201 || response.status === 200) && body) {
        lastAck = { sequence: body.sequence, amount: body.amount };
        show("bid-ack", fill(T.acknowledged, { sequence: body.sequence, amount: baht(body.amount) }) +
          (body.replayed ? " " + T.replayed : ""));
        var ack = $("bid-ack");
        if (ack) { ack.dataset.sequence = String(body.sequence); }
        field.value = "";
        renderMine();
      } else {
        var message = body && body.message ? body.message[lang] || body.message.en : null;
        show("bid-error", message || fill(T.refused, { status: response.status }));
      }
    } catch (error) {
      show("bid-error", T.network);
    } finally {
      busy = false;
      if (sending) { sending.removeAttribute("aria-busy"); }
      tick();
    }
  }

  var form = $("bid-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!busy) { submit(form); }
    });
  }

  // --- start ----------------------------------------------------------------------------------------

  apply(JSON.parse(embedded.textContent));
  setInterval(tick, 250);
  if ("WebSocket" in window) {
    connection("connecting");
    connect();
  } else {
    connection("offline");
  }
})();
