/* The analyst's review in the incident panel: the incident's evaluation (automatic or
   manual, preliminary / confirmed / reviewed / rejected), the reviewed values, a flag when a
   re-fusion changed it materially, the acts of review and, for analysts, a form to confirm,
   reject, relabel, annotate, merge, split or publish it with a reason
   (POST /api/incidents/{uid}/review, /publish; docs/api.md). */
"use strict";

const Review = (() => {
  const ACTIONS = ["confirm", "reject", "relabel", "annotate", "merge", "split", "publish"];
  const EVALUATION = {
    preliminary: _("preliminary"), confirmed: _("confirmed"), reviewed: _("reviewed"),
    rejected: _("rejected"), automatic: _("automatic"), manual: _("manual"),
  };
  const ACTION_WORDS = {
    confirm: _("confirm"), reject: _("reject"), relabel: _("relabel"), annotate: _("annotate"),
    merge: _("merge"), split: _("split"), publish: _("publish"), attach: _("new evidence"),
    flag: _("flagged"),
  };
  const ev = (w) => EVALUATION[w] || w;

  async function post(path, body) {
    const headers = { "Content-Type": "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const r = await fetch(API + path, { method: "POST", headers, body: JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((data.error && data.error.message) || String(r.status));
    return data;
  }

  function summary(s) {
    const r = s.reviewed;
    const badge = `<span class="evaluation ${esc(s.evaluation_status)}" id="evaluation-status"`
      + ` data-status="${esc(s.evaluation_status)}">${esc(ev(s.evaluation_mode))} · ${esc(ev(s.evaluation_status))}</span>`;
    if (!r) return `<p>${badge}</p>`;
    const flag = r.needs_review
      ? `<p class="flag" id="needs-review">${esc(_("Re-review: {changes}", { changes: r.needs_review }))}</p>` : "";
    const published = r.published_at
      ? esc(_("published {time}", { time: fmtTime(r.published_at) })) : esc(_("not published"));
    const labels = [word(r.status), word(r.attribution_party),
      r.clause ? _("clause {clause}", { clause: r.clause }) : "", word(r.verdict)].filter(Boolean);
    return `<p>${badge} <span class="muted">${published}</span></p>${flag}
      <p id="reviewed-labels">${labels.map(esc).join(" · ")}</p>`;
  }

  function actsHtml(acts) {
    if (!acts.length) return "";
    return `<ol class="acts" id="review-acts">${acts.map((a) => `<li><strong>${esc(ACTION_WORDS[a.action] || a.action)}</strong>`
      + ` ${esc(a.analyst)} · ${esc(fmtTime(a.at))}<br><span class="muted">${esc(a.reason)}</span></li>`).join("")}</ol>`;
  }

  function formHtml() {
    const statuses = ["", "unverified", "possible", "probable", "confirmed", "refuted"];
    const verdicts = ["", "violation", "undetermined", "permitted"];
    const opt = (v, label) => `<option value="${esc(v)}">${esc(label)}</option>`;
    return `<form id="review-form" autocomplete="off">
      <label>${esc(_("Action"))} <select id="review-action">${ACTIONS.map((a) => opt(a, ACTION_WORDS[a])).join("")}</select></label>
      <fieldset id="review-relabel" hidden>
        <label>${esc(_("Status"))} <select id="review-status">${statuses.map((s) => opt(s, s ? word(s) : "–")).join("")}</select></label>
        <label>${esc(_("Attribution"))} <input id="review-attribution" maxlength="200" placeholder="RU, UA, undetermined"></label>
        <label>${esc(_("Clause"))} <input id="review-clause" maxlength="200"></label>
        <label>${esc(_("Verdict"))} <select id="review-verdict">${verdicts.map((v) => opt(v, v ? word(v) : "–")).join("")}</select></label>
      </fieldset>
      <label id="review-uids-label" hidden>${esc(_("Incident or observation uids, one per line"))}
        <textarea id="review-uids" rows="2"></textarea></label>
      <label>${esc(_("Reason (required)"))} <textarea id="review-reason" rows="2" maxlength="2000"></textarea></label>
      <button id="review-submit" type="submit">${esc(_("Record the review"))}</button>
      <span id="review-result" class="muted" role="status"></span>
    </form>`;
  }

  function wire(uid) {
    const form = $("review-form");
    if (!form) return;
    const sync = () => {
      const a = $("review-action").value;
      $("review-relabel").hidden = a !== "relabel";
      $("review-uids-label").hidden = a !== "merge" && a !== "split";
    };
    $("review-action").addEventListener("change", sync);
    sync();
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const action = $("review-action").value;
      const reason = $("review-reason").value.trim();
      if (!reason) { $("review-result").textContent = _("A reason is required."); return; }
      const uids = $("review-uids").value.split(/\s+/).filter(Boolean);
      const body = { action, reason };
      if (action === "relabel") {
        for (const [k, id] of [["status", "review-status"], ["attribution", "review-attribution"],
          ["clause", "review-clause"], ["verdict", "review-verdict"]]) {
          const v = $(id).value.trim();
          if (v) body[k] = v;
        }
      }
      if (action === "merge") body.merge = uids;
      if (action === "split") body.observations = uids;
      $("review-submit").disabled = true;
      try {
        const done = action === "publish"
          ? await post(`/incidents/${uid}/publish`, { reason })
          : await post(`/incidents/${uid}/review`, body);
        render(uid, done);
        $("review-result").textContent = _("Recorded.");
      } catch (err) {
        $("review-result").textContent = _("Not recorded: {error}", { error: err.message });
      } finally {
        if ($("review-submit")) $("review-submit").disabled = false;
      }
    });
  }

  function render(uid, s) {
    const box = $("review-box");
    const mayReview = can("review_incidents");
    box.innerHTML = `<h4>${esc(_("Review"))}</h4>${summary(s)}${actsHtml(s.acts || [])}${mayReview ? formHtml() : ""}`;
    box.dataset.uid = uid;
    box.dataset.status = s.evaluation_status;
    wire(uid);
  }

  async function show(uid) {
    const box = $("review-box");
    if (!box) return;
    box.innerHTML = "";
    try {
      render(uid, await api(`/incidents/${uid}/review`));
    } catch (e) {
      box.innerHTML = `<p class="muted">${esc(_("Review: {error}", { error: e.message }))}</p>`;
    }
  }

  return { show };
})();
