#!/usr/bin/python3
"""Tiny pymodbus 3.0 server used as an independent peer by test/interop/modbus.test.ts.

usage: pymodbus_server.py (--tcp PORT | --rtu DEVICE [--baud B]) --units 1,2 --values JSON
JSON: {"input": {"0": [reg, reg, ...]}, "holding": {"100": [reg, ...]}} — registers by 0-based start address.
Prints "READY" on stdout once serving. (Debian's python3-pymodbus bundled simulator is broken; this replaces it.)
"""
import argparse
import asyncio
import json
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSequentialDataBlock
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer


def block(values, size=1000):
    regs = [0] * size
    for start, lst in values.items():
        for i, v in enumerate(lst):
            regs[int(start) + i] = v
    return ModbusSequentialDataBlock(0, regs)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcp", type=int)
    ap.add_argument("--rtu")
    ap.add_argument("--baud", type=int, default=9600)
    ap.add_argument("--units", default="1")
    ap.add_argument("--values", default="{}")
    a = ap.parse_args()
    values = json.loads(a.values)
    slaves = {}
    for u in [int(x) for x in a.units.split(",")]:
        slaves[u] = ModbusSlaveContext(
            ir=block(values.get("input", {})),
            hr=block(values.get("holding", {})),
            co=ModbusSequentialDataBlock(0, [False] * 1000),
            di=ModbusSequentialDataBlock(0, [False] * 1000),
            zero_mode=True,
        )
    ctx = ModbusServerContext(slaves=slaves, single=False)
    if a.tcp is not None:
        # Reuse the address so that a server restarted on the same port (recovery test) can bind at once.
        server = await StartAsyncTcpServer(context=ctx, address=("127.0.0.1", a.tcp), defer_start=True,
                                           allow_reuse_address=True)
        task = asyncio.create_task(server.serve_forever())
        await server.serving  # bound and listening
        print("READY", flush=True)
        await task
        return
    else:
        server = await StartAsyncSerialServer(context=ctx, framer=ModbusRtuFramer, port=a.rtu, baudrate=a.baud,
                                              defer_start=True, ignore_missing_slaves=True)
        await server.start()  # opens the serial device (serve_forever alone does not, in pymodbus 3.0)
    print("READY", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
