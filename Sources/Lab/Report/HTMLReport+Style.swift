extension HTMLReport {
    /// The style sheet: system fonts, a readable column, tables that scroll inside their wrapper
    /// on narrow screens, print rules. No `<` or `&` (the page stays XML-readable).
    static let css = """

    :root { color-scheme: light; --ink: #1d2330; --muted: #5a6272; --line: #d9dde5; --band: #f5f7fa; --accent: #1b6ca8;
      --good: #1e7b48; --bad: #b3261e; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
    body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
      "Helvetica Neue", Arial, sans-serif; }
    header, main, footer { max-width: 84rem; margin: 0 auto; padding: 0 1.25rem; }
    header { padding-top: 1.5rem; border-bottom: 1px solid var(--line); }
    h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 .25rem; }
    h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--band); }
    h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
    p, ul, dl { max-width: 60rem; }
    .subtitle { color: var(--muted); margin: 0 0 .75rem; }
    nav ul { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
    a { color: var(--accent); }
    .table-wrap { overflow-x: auto; width: fit-content; max-width: 100%; margin: .75rem 0 .25rem; border: 1px solid var(--line);
      border-radius: 4px; }
    /* Shadows at an edge with more table beyond it (they scroll with the content: pure CSS). */
    .table-wrap { background: linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)),
      linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) 100% 0,
      radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, .18), rgba(0, 0, 0, 0)),
      radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, .18), rgba(0, 0, 0, 0)) 100% 0;
      background-repeat: no-repeat; background-size: 40px 100%, 40px 100%, 14px 100%, 14px 100%;
      background-attachment: local, local, scroll, scroll; }
    .table-wrap:focus { outline: 2px solid var(--accent); outline-offset: 2px; }
    table { border-collapse: collapse; font-size: .8125rem; }
    caption { caption-side: top; text-align: left; font-weight: 600; padding: .5rem .75rem; background: var(--band); }
    th, td { padding: .3rem .45rem; border-top: 1px solid var(--line); vertical-align: top; text-align: left; }
    thead th { background: var(--band); border-top: 0; border-bottom: 2px solid var(--line); vertical-align: bottom; }
    tbody th { font-weight: 500; white-space: nowrap; }
    tbody + tbody { border-top: 2px solid var(--line); }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .note { color: var(--muted); font-size: .875rem; margin-top: .25rem; }
    figure { margin: 1rem 0; }
    .plot { overflow-x: auto; }
    .plot svg { display: block; max-width: 100%; height: auto; }
    figcaption { color: var(--muted); font-size: .875rem; max-width: 60rem; margin-top: .25rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .9rem; }
    dl div { display: contents; }
    dt { color: var(--muted); }
    dd { margin: 0; overflow-wrap: anywhere; }
    pre { background: var(--band); padding: .75rem; border-radius: 4px; overflow-x: auto; font-size: .8rem; line-height: 1.4; }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
    pre code { white-space: pre; }
    details { margin: .75rem 0; }
    summary { cursor: pointer; font-weight: 600; }
    .findings { list-style: none; padding: 0; }
    .findings li { padding: .35rem .5rem; border-left: 4px solid var(--line); margin: .3rem 0; background: var(--band); }
    .findings li.good { border-left-color: var(--good); }
    .findings li.best { border-left-color: var(--good); background: #e8f4ec; }
    .findings li.bad { border-left-color: var(--bad); background: #fbeceb; }
    .mark { font-weight: 700; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; }
    .good .mark, .best .mark { color: var(--good); }
    .bad .mark { color: var(--bad); }
    footer { color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); margin-top: 2rem; padding-bottom: 1.5rem; }
    @media (max-width: 40rem) {
      body { font-size: 15px; }
      header, main, footer { padding: 0 .75rem; }
      h1 { font-size: 1.4rem; }
      dl { gap: .2rem .75rem; }
    }
    @media print {
      body { font-size: 10pt; }
      nav, footer { display: none; }
      header, main { max-width: none; padding: 0; }
      .table-wrap, .plot { overflow: visible; border: 0; }
      table { width: 100%; font-size: 8pt; }
      .table-wrap { background: none; }
      tr, figure, .findings li { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
      a { color: inherit; text-decoration: none; }
      pre { white-space: pre-wrap; }
      pre code { white-space: pre-wrap; }
    }

    """
}
