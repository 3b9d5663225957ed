"use strict";
// Live updates: the server sends the changed parts of the page after each save (Server-Sent
// Events); new page images are loaded before they replace the old ones, and the scroll
// positions and open source views stay as the reader left them.
(() => {
  const body = document.body;
  const connection = document.getElementById("verbindung");
  const opened = new Set();
  let latest = 0;

  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details.dataset && details.dataset.id) {
      if (details.open) opened.add(details.dataset.id); else opened.delete(details.dataset.id);
    }
  }, true);

  async function loaded(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    await Promise.all([...template.content.querySelectorAll("img")].map((img) => {
      const image = new Image();
      image.src = img.getAttribute("src");
      return image.decode().catch(() => {});
    }));
    return template.content;
  }

  async function apply(data) {
    const mine = ++latest;
    const pages = await loaded(data.seiten);
    if (mine !== latest) return;  // a newer state arrived while these images loaded
    const aside = document.getElementById("befunde");
    const x = window.scrollX, y = window.scrollY, asideY = aside.scrollTop;
    document.getElementById("meldung").innerHTML = data.meldung;
    document.getElementById("seiten").replaceChildren(pages);
    aside.innerHTML = data.befunde;
    for (const details of aside.querySelectorAll("details[data-id]")) {
      if (opened.has(details.dataset.id)) details.open = true;
    }
    document.getElementById("titel").textContent = data.titel;
    document.title = "Vorschau: " + data.titel + " – bidkit";
    body.dataset.stand = data.stand;
    window.scrollTo(x, y);
    aside.scrollTop = asideY;
  }

  const events = new EventSource("/ereignisse?stand=" + encodeURIComponent(body.dataset.stand));
  events.addEventListener("stand", (event) => apply(JSON.parse(event.data)));
  events.addEventListener("open", () => { connection.textContent = "live: aktualisiert sich beim Speichern"; });
  events.addEventListener("error", () => { connection.textContent = "keine Verbindung – läuft bidkit preview noch?"; });

  // With an editor configured, a finding's place opens it there without leaving the page.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.classList.contains("oeffnen")) return;
    event.preventDefault();
    try {
      const answer = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
      connection.textContent = answer.ok ? "im Editor geöffnet" : await answer.text();
    } catch (error) {
      connection.textContent = "keine Verbindung – läuft bidkit preview noch?";
    }
  });
})();
