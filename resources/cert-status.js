/* global $, window */
/* GridBridge, editor side: the certificate panel of the upstream config dialogs (2030.5 client, OpenADR VEN, MQTT
 * upstream). Served by Node-RED from this package's resources/ directory; the data comes from the admin endpoints of
 * nodes/cert-status.ts (GET gridbridge/certs/<node id>, GET gridbridge/cert-files), never a key. */
(function () {
  'use strict';
  function line(box, text, warn) {
    var d = $('<div>').text(text).appendTo(box);
    if (warn) d.css('color', 'var(--red-ui-text-color-error, #c00)');
  }
  window.GridBridgeCerts = {
    /** Fill `box` with subject, issuer, expiry (days left), LFDI/SFDI and warnings of a deployed node's certificates. */
    show: function (box, nodeId, texts) {
      box = $(box);
      box.text('…');
      $.getJSON('gridbridge/certs/' + encodeURIComponent(nodeId))
        .done(function (r) {
          box.empty();
          var keys = Object.keys(r);
          if (keys.length === 0) box.text(texts.none);
          keys.forEach(function (k) {
            var b = r[k];
            b.certificates.forEach(function (c) {
              var t = b.label + ': ' + c.subject + (c.issuer !== c.subject ? ' ← ' + c.issuer : '') + ' · ' + texts.expires + ' ' + c.notAfter.slice(0, 10) + ' (' + c.daysLeft + ' d)';
              if (c.lfdi) t += ' · LFDI ' + c.lfdi + ' · SFDI ' + c.sfdi;
              line(box, t, c.daysLeft < 0);
            });
            b.warnings.forEach(function (w) { line(box, '⚠ ' + w, true); });
          });
        })
        .fail(function () { box.text(texts.notDeployed); });
    },
    /** Offer the files of the managed certificate directory in a <datalist>, and say where that directory is. */
    files: function (datalist, dirBox) {
      $.getJSON('gridbridge/cert-files').done(function (r) {
        var list = $(datalist).empty();
        r.files.forEach(function (f) { if (f.kind !== 'key') $('<option>').attr('value', f.name).text(f.kind).appendTo(list); });
        if (dirBox && r.dir) $(dirBox).text(r.dir);
      });
    },
  };
})();
