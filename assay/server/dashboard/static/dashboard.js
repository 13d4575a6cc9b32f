// The dashboard's only script: no build step, no library but Plotly (served from the
// plotly package). Forms post normally; this adds what a page needs on top:
// auto-submitting selects, sortable tables, live tables and run plots (polling with fetch),
// the prediction figures, and the records behind a confusion-matrix cell.
"use strict";

function poll(url, everyMs, apply) {
  // Ask for news every everyMs; stop when apply() returns false (the run ended).
  async function tick() {
    let goOn = true;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) goOn = apply(await response.json()) !== false;
    } catch (error) {
      // the server was briefly away: try again at the next tick
    }
    if (goOn) setTimeout(tick, everyMs);
  }
  setTimeout(tick, everyMs);
}

function liveRuns(table) {
  const everyMs = Number(table.dataset.pollMs || 1000);
  poll(table.dataset.live, everyMs, (news) => {
    for (const run of news.runs) {
      const row = table.querySelector(`tr[data-run="${run.id}"]`);
      if (!row) continue;
      for (const field of ["status", "message", "epochs"]) {
        const cell = row.querySelector(`[data-field="${field}"]`);
        if (cell && cell.textContent !== String(run[field])) cell.textContent = run[field];
      }
      row.querySelector('[data-field="status"]').className = `status ${run.status}`;
    }
  });
}

const ENDED = new Set(["succeeded", "failed", "stopped", "abandoned"]);

function drawRun(news) {
  document.getElementById("run-status").textContent = news.status;
  document.getElementById("run-message").textContent = news.message;
  document.getElementById("run-epochs").textContent = news.epochs;
  const link = document.getElementById("run-prediction");
  if (news.prediction_id && !link.querySelector("a")) {
    const a = document.createElement("a");
    a.href = `/predictions/${news.prediction_id}`;
    a.textContent = `prediction ${news.prediction_id}`;
    link.replaceChildren("· ", a);
  }
  document.getElementById("run-message").hidden = !news.message;
  const hasCurves = Object.keys(news.curves).length > 0;
  document.getElementById("no-curves").hidden = hasCurves;
  document.getElementById("curves").hidden = !hasCurves;
  const curves = Object.entries(news.curves).map(([name, line]) => ({
    x: line.x, y: line.y, name, mode: "lines+markers", type: "scatter",
  }));
  Plotly.react("curves", curves, {
    xaxis: { title: { text: "epoch" } }, height: 340, margin: { t: 20 },
  });
  const box = document.getElementById("plots");
  for (const plot of news.plots) {
    const id = `plot-${plot.phase}-${plot.plot}`.replace(/[^A-Za-z0-9_-]/g, "_");
    let div = document.getElementById(id);
    if (!div) {
      const title = document.createElement("h3");
      title.textContent = `${plot.plot} (${plot.phase === "train" ? "training" : "evaluation"})`;
      const text = document.createElement("p");
      text.textContent = plot.description;
      div = document.createElement("div");
      div.id = id;
      div.className = "figure";
      box.append(title, text, div);
    }
    const lines = Object.entries(plot.lines).map(([name, points]) => ({
      x: points.map((p) => p[0]), y: points.map((p) => p[1]), name, mode: "lines+markers",
    }));
    Plotly.react(div, lines, {
      xaxis: { title: { text: plot.labels[0] } }, yaxis: { title: { text: plot.labels[1] } },
      height: 300, margin: { t: 20 },
    });
  }
  document.getElementById("no-plots").hidden = news.plots.length > 0;
  const body = document.querySelector("#performance tbody");
  document.getElementById("no-performance").hidden = Object.keys(news.performance).length > 0;
  body.replaceChildren(...Object.entries(news.performance).map(([key, value]) => {
    const row = document.createElement("tr");
    const name = document.createElement("th");
    name.textContent = key;
    const cell = document.createElement("td");
    cell.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    row.append(name, cell);
    return row;
  }));
  return !ENDED.has(news.status);
}

function liveRun(holder) {
  const first = JSON.parse(document.getElementById("run-data").textContent);
  let seen = "";
  const apply = (news) => {
    const signature = JSON.stringify([news.status, news.message, news.epochs, news.plots, news.performance]);
    if (signature === seen) return true;
    seen = signature;
    return drawRun(news);
  };
  if (apply(first)) poll(holder.dataset.live, Number(holder.dataset.pollMs || 1000), apply);
}

function sortable(table) {
  table.querySelectorAll("th[data-sort]").forEach((header, column) => {
    header.style.cursor = "pointer";
    header.addEventListener("click", () => {
      const body = table.tBodies[0];
      const ascending = header.dataset.order !== "asc";
      header.dataset.order = ascending ? "asc" : "desc";
      const key = (row) => {
        const text = row.cells[column] ? row.cells[column].textContent.trim() : "";
        const number = Number(text);
        return text !== "" && !Number.isNaN(number) ? number : text;
      };
      const rows = Array.from(body.rows).sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
}

function predictionFigures() {
  const data = document.getElementById("curves-data");
  if (!data) return;
  const curves = JSON.parse(data.textContent);
  const draw = (holderId, bySplit, x, y, score, xTitle, yTitle) => {
    const holder = document.getElementById(holderId);
    for (const [split, perClass] of Object.entries(bySplit || {})) {
      const div = document.createElement("div");
      div.className = "figure";
      holder.append(div);
      const lines = Object.entries(perClass).map(([name, curve]) => ({
        x: curve[x], y: curve[y], mode: "lines", name: `${name} (${score} ${Number(curve[score]).toFixed(3)})`,
      }));
      Plotly.newPlot(div, lines, {
        title: { text: split }, xaxis: { title: { text: xTitle } }, yaxis: { title: { text: yTitle } },
        height: 320, margin: { t: 40 },
      });
    }
  };
  draw("roc", curves.roc, "fpr", "tpr", "auc", "false positive rate", "true positive rate");
  draw("pr", curves.precision_recall, "recall", "precision", "average_precision", "recall", "precision");
}

async function showCell(button, offset = 0) {
  const section = document.getElementById("cell-records");
  const query = new URLSearchParams({
    split: button.dataset.split, true: button.dataset.true, predicted: button.dataset.predicted, offset,
  });
  const response = await fetch(`${section.dataset.url}?${query}`);
  const found = await response.json();
  section.hidden = false;
  const last = found.offset + found.items.length;
  document.getElementById("cell-title").textContent =
    `${found.total} record(s) of ${button.dataset.split}: true ${button.dataset.true}, predicted ${button.dataset.predicted}` +
    (found.total > found.items.length ? ` (showing ${found.offset + 1}–${last})` : "");
  const more = document.getElementById("cell-more");
  more.hidden = last >= found.total;
  more.onclick = () => showCell(button, last);
  const columns = found.items.length ? Object.keys(found.items[0].values) : [];
  const head = document.createElement("tr");
  for (const name of ["sample", ...columns]) {
    const th = document.createElement("th");
    th.textContent = name;
    head.append(th);
  }
  section.querySelector("thead").replaceChildren(head);
  section.querySelector("tbody").replaceChildren(...found.items.map((record) => {
    const row = document.createElement("tr");
    row.className = "record";
    for (const value of [record.sample, ...columns.map((c) => record.values[c])]) {
      const td = document.createElement("td");
      td.textContent = value === null ? "" : String(value);
      row.append(td);
    }
    return row;
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("table.sortable").forEach(sortable);
  const runs = document.getElementById("runs");
  if (runs && runs.dataset.live) liveRuns(runs);
  const run = document.getElementById("run-live");
  if (run) liveRun(run);
  predictionFigures();
  document.querySelectorAll("button.cell").forEach((button) => {
    button.addEventListener("click", () => showCell(button));
  });
});
