"""Live preview while editing: ``bidkit preview`` (a local web page) and ``bidkit build --watch``.

- ``watch``: changes in the bid folder (watchfiles, bursts of saves debounced), and the
  one-line-per-build loop of ``build --watch``;
- ``document``: what the rendered document depends on, so that a save that changes nothing in
  it (a comment, a blank line) re-checks but does not re-render;
- ``worker`` and ``renderer``: a draft is rendered in a separate process (started in advance with
  WeasyPrint already imported), killed when a newer save arrives; a crash or hang there never
  takes the server down;
- ``state``: the last check and the last good rendering, with a revision number the page waits on;
- ``page`` (with ``page.html.j2``, ``preview.css``, ``preview.js``) and ``server``: one HTML page,
  rendered on the server so that it works without JavaScript, kept current by Server-Sent Events.

The server binds to 127.0.0.1 only, answers only requests whose ``Host`` (and ``Origin``) name
it, serves only what it generated (page images from memory, source lines of bid files through
the bid-folder resolver) and never a directory listing or a traceback.
"""
