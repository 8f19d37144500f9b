// The journal grid's page: asks the server for fragments (rendered and escaped there) with
// the Mini App's signed initData in a header, and edits one cell at a time. Plain script, no
// build step; text from data is only ever set as text.
"use strict";
(function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = tg ? tg.initData : "";
  var main = document.getElementById("main");
  var message = document.getElementById("message");
  var sheet = document.getElementById("sheet");
  var sheetBody = sheet.querySelector(".sheet-body");
  var title = document.getElementById("title");
  var back = document.getElementById("back");
  var labels = {};
  var journal = null; // the journal open now: {group, discipline, period, subgroup}
  var busy = false;

  function applyTheme() {
    if (!tg) return;
    var params = tg.themeParams || {};
    var root = document.documentElement;
    Object.keys(params).forEach(function (key) {
      root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), params[key]);
    });
    root.dataset.scheme = tg.colorScheme || "light";
  }

  function say(text, ok) {
    if (!text) { message.hidden = true; return; }
    message.textContent = text;
    message.className = ok ? "ok" : "";
    message.hidden = false;
  }

  function api(name, body) {
    return fetch("api/" + name, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "X-Telegram-Init-Data": initData },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        data.status = response.status;
        return data;
      });
    });
  }

  function refused(data) {
    // Every refusal comes with its text in the person's language (the college's, before
    // sign-in); a bare status is a proxy's or the network's.
    return data.error || ("Error " + data.status);
  }

  function show(html) {
    main.innerHTML = html; // rendered and escaped by the server
  }

  function setBack(visible) {
    back.hidden = !visible;
    if (tg && tg.BackButton) {
      if (visible) tg.BackButton.show(); else tg.BackButton.hide();
    }
  }

  function home(extra) {
    journal = null;
    setBack(false);
    return api("journals", extra || {}).then(function (data) {
      if (data.status !== 200) { say(refused(data)); show(""); return; }
      labels = data.labels || labels;
      title.textContent = labels.title || "";
      if (labels.lang) document.documentElement.lang = labels.lang;
      if (data.journal) { journal = data.journal; setBack(true); }
      diaryHome = data.home === "diary";
      show(data.html);
    });
  }

  function openGrid(which) {
    say("");
    return api("grid", which).then(function (data) {
      if (data.status !== 200) { say(refused(data)); return; }
      journal = data.journal;
      setBack(true);
      show(data.html);
    });
  }

  var diaryHome = false; // a parent's or a student's page opens on their term

  function openDiary(student) {
    say("");
    return api("diary", student ? { student: student } : {}).then(function (data) {
      if (data.status !== 200) { say(refused(data)); return; }
      journal = null;
      setBack(!diaryHome);
      show(data.html);
    });
  }

  function openMonitoring(preset) {
    say("");
    return api("monitoring", { preset: preset }).then(function (data) {
      if (data.status !== 200) { say(refused(data)); return; }
      journal = null;
      setBack(true);
      show(data.html);
    });
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function closeSheet() { sheet.hidden = true; sheetBody.textContent = ""; }

  function lessonSheet(th) {
    var d = JSON.parse(th.dataset.details);
    sheetBody.textContent = "";
    sheetBody.appendChild(el("h3", d.date + " · " + d.pair + (d.subgroup ? " · " + d.subgroup : "")));
    sheetBody.appendChild(el("p", labels.topic + ": " + (d.topic || labels.no_topic), "pre"));
    if (d.homework) sheetBody.appendChild(el("p", labels.homework + ": " + d.homework, "pre"));
    if (d.locked) sheetBody.appendChild(el("p", d.locked, "muted"));
    var close = el("button", labels.cancel, "ghost wide");
    close.type = "button";
    close.addEventListener("click", closeSheet);
    sheetBody.appendChild(close);
    sheet.hidden = false;
  }

  function studentName(td) {
    var row = td.parentNode.querySelector("th.name");
    return row ? row.textContent : "";
  }

  function lessonHead(td) {
    return document.querySelector('th.lesson[data-l="' + td.dataset.l + '"]');
  }

  // An empty cell carries no data: present, no grades.
  function markOf(td) { return td.dataset.mark || "present"; }
  function gradesOf(td) { return JSON.parse(td.dataset.grades || "[]"); }

  function send(td, change) {
    if (busy) return;
    busy = true;
    var body = Object.assign({
      journal: journal,
      lesson: Number(td.dataset.l),
      student: Number(td.dataset.s),
      seen_mark: markOf(td),
      seen_grades: gradesOf(td).map(function (g) { return [g[0], g[1]]; })
    }, change);
    api("cell", body).then(function (data) {
      busy = false;
      if (data.status === 200 || data.status === 409) {
        var holder = document.createElement("tbody");
        holder.innerHTML = "<tr>" + data.html + "</tr>"; // rendered and escaped by the server
        var fresh = holder.querySelector("td");
        td.replaceWith(fresh);
        var avg = document.querySelector('td.avg[data-avg="' + body.student + '"]');
        if (avg) avg.textContent = data.average;
        if (data.status === 200) {
          closeSheet();
          say(data.message, true);
          if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred("success");
        } else {
          cellSheet(fresh, data.message); // the cell as stored now: look, then try again
        }
        return;
      }
      var note = sheetBody.querySelector(".note");
      if (note) note.textContent = refused(data); else say(refused(data));
    }).catch(function () { busy = false; });
  }

  function choice(row, text, on, act) {
    var b = el("button", text, on ? "on" : "ghost");
    b.type = "button";
    b.addEventListener("click", act);
    row.appendChild(b);
    return b;
  }

  function kindSelect(current) {
    var select = el("select");
    select.setAttribute("aria-label", labels.kind);
    Object.keys(labels.kinds).forEach(function (k) {
      var option = el("option", labels.kinds[k]);
      option.value = k;
      option.selected = k === current;
      select.appendChild(option);
    });
    return select;
  }

  function commentInput(value) {
    var input = el("input");
    input.maxLength = 255;
    input.name = "comment";
    input.value = value || "";
    input.placeholder = labels.comment;
    input.setAttribute("aria-label", labels.comment);
    return input;
  }

  function cellSheet(td, note) {
    var grades = gradesOf(td);
    var head = lessonHead(td);
    var details = head ? JSON.parse(head.dataset.details) : {};
    sheetBody.textContent = "";
    sheetBody.appendChild(el("h3", studentName(td)));
    sheetBody.appendChild(el("p", (details.date || "") + " · " + (details.pair || ""), "muted"));
    sheetBody.appendChild(el("p", note || "", "note"));

    sheetBody.appendChild(el("b", labels.attendance));
    var marks = el("div", null, "row");
    ["present", "absent", "late"].forEach(function (mark) {
      choice(marks, labels.marks[mark], markOf(td) === mark, function () {
        if (markOf(td) !== mark) send(td, { action: "mark", mark: mark });
      }).dataset.mark = mark;
    });
    sheetBody.appendChild(marks);

    sheetBody.appendChild(el("b", labels.grades));
    grades.forEach(function (g) {
      var line = el("div", null, "given");
      line.appendChild(el("b", labels.values[g[1]] || g[1]));
      line.appendChild(el("span", labels.kinds[g[2]] + (g[3] ? ": " + g[3] : ""), "muted"));
      var row = el("div", null, "row");
      Object.keys(labels.values).forEach(function (v) {
        if (v !== g[1]) choice(row, labels.values[v], false, function () {
          send(td, { action: "change", grade: g[0], value: v });
        });
      });
      var rm = choice(row, labels.remove, false, function () {
        send(td, { action: "remove", grade: g[0] });
      });
      rm.className = "ghost remove";
      line.appendChild(row);
      var kind = kindSelect(g[2]);
      var comment = commentInput(g[3]);
      var more = el("div", null, "row");
      more.appendChild(kind);
      more.appendChild(comment);
      choice(more, labels.save, false, function () {
        send(td, { action: "change", grade: g[0], kind: kind.value, comment: comment.value });
      });
      line.appendChild(more);
      sheetBody.appendChild(line);
    });

    var add = el("div", null, "add");
    add.appendChild(el("p", labels.add, "muted"));
    var kind = kindSelect("current");
    var kindField = el("label", labels.kind, "field");
    kindField.appendChild(kind);
    var comment = commentInput("");
    var commentField = el("label", labels.comment, "field");
    commentField.appendChild(comment);
    var values = el("div", null, "row values");
    Object.keys(labels.values).forEach(function (v) {
      choice(values, labels.values[v], false, function () {
        send(td, { action: "add", value: v, kind: kind.value, comment: comment.value });
      }).dataset.value = v;
    });
    add.appendChild(values);
    add.appendChild(kindField);
    add.appendChild(commentField);
    sheetBody.appendChild(add);

    var close = el("button", labels.cancel, "ghost wide");
    close.type = "button";
    close.addEventListener("click", closeSheet);
    sheetBody.appendChild(close);
    sheet.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest("[data-journal]");
    if (button) { openGrid(JSON.parse(button.dataset.journal)); return; }
    if (target.closest("[data-diary]")) { openDiary(null); return; }
    var watch = target.closest("[data-monitoring], [data-preset]");
    if (watch) { openMonitoring(watch.dataset.monitoring || watch.dataset.preset); return; }
    var chip = target.closest("[data-student]");
    if (chip) { openDiary(Number(chip.dataset.student)); return; }
    var th = target.closest("th.lesson");
    if (th) { lessonSheet(th); return; }
    var td = target.closest("td.cell.edit");
    if (td) { say(""); cellSheet(td); return; }
    var locked = target.closest("td.cell:not(.off)");
    if (locked) { // why it cannot be changed: the lesson's own reason
      var head = lessonHead(locked);
      var details = head ? JSON.parse(head.dataset.details) : {};
      say(details.locked || labels.locked);
      return;
    }
    if (target === sheet) closeSheet();
  });

  // A cell or a lesson's date in focus opens with Enter or Space, as with a tap.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target instanceof Element &&
        target.matches("td.cell.edit, th.lesson")) {
      event.preventDefault();
      target.click();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "period") {
      home({ period: Number(event.target.value) });
    }
  });

  function goBack() { say(""); closeSheet(); home(); }
  back.addEventListener("click", goBack);

  if (!initData) {
    document.getElementById("loading").textContent =
      "Откройте журнал из бота в Telegram. / Please open the journal from the bot in Telegram.";
    return;
  }
  applyTheme();
  if (tg.onEvent) {
    tg.onEvent("themeChanged", applyTheme);
    tg.onEvent("backButtonClicked", goBack);
  }
  if (tg.ready) tg.ready();
  if (tg.expand) tg.expand();
  var lesson = Number(new URLSearchParams(window.location.search).get("lesson")) || null;
  home(lesson ? { lesson: lesson } : {});
})();
