"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ensureTestPki = ensureTestPki;
/**
 * A P-256 test PKI for the 2030.5 test server: CA, server certificate and one client (device) certificate, written
 * as PEM files into a directory. Made with the openssl CLI (@peculiar/x509 needs a reflect-metadata polyfill that
 * is not installed). Existing files are reused, so a restarted server keeps the same identities.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const identity_js_1 = require("../../protocols/sep2/identity.js");
function openssl(args, cwd) {
    (0, node_child_process_1.execFileSync)('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}
function issue(dir, name, subject, ext, caName) {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key.pem`], dir);
    openssl(['req', '-new', '-key', `${name}.key.pem`, '-subj', subject, '-out', `${name}.csr`], dir);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key.pem`, '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
}
/** Create (or load) a CA + server + client PKI in `dir`. `prefix` lets tests make an unrelated second PKI. */
function ensureTestPki(dir, prefix = '') {
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const f = (n) => `${prefix}${n}`;
    if (!(0, node_fs_1.existsSync)((0, node_path_1.join)(dir, `${f('client')}.pem`))) {
        openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${f('ca')}.key.pem`], dir);
        openssl(['req', '-x509', '-new', '-key', `${f('ca')}.key.pem`, '-subj', `/CN=GridBridge 2030.5 test CA${prefix ? ' ' + prefix : ''}`, '-days', '3650', '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${f('ca')}.pem`], dir);
        issue(dir, f('server'), '/CN=sep2-test-server', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n', f('ca'));
        issue(dir, f('client'), '/CN=sep2-test-device', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth\n', f('ca'));
    }
    const files = {
        caCert: (0, node_path_1.join)(dir, `${f('ca')}.pem`),
        serverCert: (0, node_path_1.join)(dir, `${f('server')}.pem`),
        serverKey: (0, node_path_1.join)(dir, `${f('server')}.key.pem`),
        clientCert: (0, node_path_1.join)(dir, `${f('client')}.pem`),
        clientKey: (0, node_path_1.join)(dir, `${f('client')}.key.pem`),
    };
    const read = (p) => (0, node_fs_1.readFileSync)(p, 'utf8');
    const clientCert = read(files.clientCert);
    return {
        dir,
        caCert: read(files.caCert),
        serverCert: read(files.serverCert),
        serverKey: read(files.serverKey),
        clientCert,
        clientKey: read(files.clientKey),
        client: (0, identity_js_1.identityFromCertificate)(clientCert),
        files,
    };
}
//# sourceMappingURL=pki.js.map