"use strict";
module.exports = function register(RED) {
    function ModbusRead(def) {
        RED.nodes.createNode(this, def);
        const d = def;
        const node = this;
        const cfg = RED.nodes.getNode(d.device);
        const device = cfg?.device;
        const port = cfg?.portNode?.port;
        if (!cfg || !device || !port) {
            const why = !cfg ? 'no device selected' : (cfg.configError ?? 'device not available');
            node.status({ fill: 'red', shape: 'ring', text: why.slice(0, 60) });
            node.error(`Modbus read: ${why}`);
            return;
        }
        let count = 0;
        const emit = (points, msgIn) => {
            const pts = d.onlyGood ? points.filter((p) => p.quality.code === 'good') : points;
            if (pts.length === 0)
                return;
            if (d.mode === 'point') {
                node.send([pts.map((p) => ({ ...(msgIn ?? {}), topic: p.id, payload: p }))]);
            }
            else {
                node.send({ ...(msgIn ?? {}), topic: `${device.id}`, payload: pts });
            }
        };
        const showStatus = () => {
            const ps = port.status;
            const ds = device.status;
            if (ps.state === 'down' || ps.state === 'connecting')
                node.status({ fill: ps.state === 'down' ? 'red' : 'yellow', shape: 'ring', text: `${ps.state}${ps.reason ? `: ${ps.reason.slice(0, 40)}` : ''}` });
            else if (ds.state === 'offline')
                node.status({ fill: 'red', shape: 'dot', text: `offline: ${(ds.reason ?? 'no answer').slice(0, 40)}` });
            else
                node.status({ fill: 'green', shape: 'dot', text: `polling · ${count} reads` });
        };
        const onPoints = (points) => {
            count++;
            emit(points);
            if (count === 1 || count % 10 === 0)
                showStatus();
        };
        device.on('points', onPoints);
        device.on('status', showStatus);
        port.on('status', showStatus);
        showStatus();
        node.on('input', (msg, _send, done) => {
            device.readAll().then((pts) => {
                emit(pts, msg);
                done();
            }, (e) => done(e instanceof Error ? e : new Error(String(e))));
        });
        node.on('close', (_removed, done) => {
            device.off('points', onPoints);
            device.off('status', showStatus);
            port.off('status', showStatus);
            done();
        });
    }
    RED.nodes.registerType('gridbridge-modbus-read', ModbusRead);
};
//# sourceMappingURL=modbus-read.js.map