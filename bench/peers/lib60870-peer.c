/*
 * GridBridge bench peer (our own code, Apache-2.0) that LINKS against lib60870-C (mz-automation, not part of this
 * repository, not distributed with it) so bench/iec104-xproc.ts can compare against an independent implementation
 * in separate processes. Build it outside the repository, see docs/iec104.md "Cross-process bench":
 *
 *   cc -O2 -o $LIB60870_BIN_DIR/lib60870-peer bench/peers/lib60870-peer.c \
 *      -I$SRC/lib60870-C/src/inc/api -I$SRC/lib60870-C/src/hal/inc -I$SRC/lib60870-C/src/common/inc \
 *      $SRC/lib60870-C/build/src/liblib60870.a -lpthread
 *
 * Modes (one line of JSON on stdout each):
 *   lib60870-peer server <n>                 controlled station on 127.0.0.1, ephemeral port: prints {"port":P}; a GI
 *                                             (C_IC_NA_1, QOI 20) answers <n> M_ME_NC_1 floats (IOA 1.., value
 *                                             i*0.5), SQ=1, 48 per ASDU, then ACT_TERM. Runs until stdin closes.
 *   lib60870-peer client <port> [local-ip]  controlling station (bound to local-ip when given, so a station can
 *                                             put it in a redundancy group of its own): STARTDT, prints {"ready":1},
 *                                             then one GI of CA 1 per "gi" line on stdin, printing
 *                                             {"ms":wall send → ACT_TERM,"cpuMs":process CPU,"objects":n}; the ASDU
 *                                             handler reads every object (IOA, value, quality) into arrays, as an
 *                                             application does. Ends when stdin closes.
 */
#include "cs104_connection.h"
#include "cs104_slave.h"
#include "hal_thread.h"
#include "hal_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define PER_ASDU 48

static int giObjects = 0;

static bool
onInterrogation(void* parameter, IMasterConnection connection, CS101_ASDU asdu, uint8_t qoi)
{
    (void)parameter;
    if (qoi != IEC60870_QOI_STATION) {
        IMasterConnection_sendACT_CON(connection, asdu, true);
        return true;
    }
    IMasterConnection_sendACT_CON(connection, asdu, false);
    CS101_AppLayerParameters al = IMasterConnection_getApplicationLayerParameters(connection);
    int ca = CS101_ASDU_getCA(asdu);
    for (int first = 0; first < giObjects; first += PER_ASDU) {
        CS101_ASDU out = CS101_ASDU_create(al, true, CS101_COT_INTERROGATED_BY_STATION, 0, ca, false, false);
        InformationObject io = NULL;
        for (int i = first; i < first + PER_ASDU && i < giObjects; i++) {
            io = (InformationObject)MeasuredValueShort_create((MeasuredValueShort)io, 1 + i, (float)(i * 0.5), IEC60870_QUALITY_GOOD);
            CS101_ASDU_addInformationObject(out, io);
        }
        InformationObject_destroy(io);
        if (!IMasterConnection_sendASDU(connection, out)) fprintf(stderr, "lib60870-peer: GI ASDU at %d not queued\n", first);
        CS101_ASDU_destroy(out);
    }
    IMasterConnection_sendACT_TERM(connection, asdu);
    return true;
}

static int
server(int n)
{
    giObjects = n;
    /* The high-priority queue holds a whole GI answer (≈ n/48 ASDUs). */
    CS104_Slave slave = CS104_Slave_create(100, n / PER_ASDU + 64);
    CS104_Slave_setLocalAddress(slave, "127.0.0.1");
    CS104_Slave_setServerMode(slave, CS104_MODE_CONNECTION_IS_REDUNDANCY_GROUP);
    CS104_Slave_setInterrogationHandler(slave, onInterrogation, NULL);
    int port = 0;
    for (int p = 24040; p < 24240 && !port; p++) {
        CS104_Slave_setLocalPort(slave, p);
        CS104_Slave_start(slave);
        if (CS104_Slave_isRunning(slave)) port = p;
    }
    if (!port) {
        fprintf(stderr, "lib60870-peer: no free port\n");
        return 1;
    }
    printf("{\"port\":%d}\n", port);
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin) != NULL) { }
    CS104_Slave_stop(slave);
    CS104_Slave_destroy(slave);
    return 0;
}

static Semaphore started;
static Semaphore terminated;
static int collected = 0;
static int* ioas;
static float* values;
static uint8_t* qualities;

static void
onConnection(void* parameter, CS104_Connection con, CS104_ConnectionEvent event)
{
    (void)parameter;
    (void)con;
    if (event == CS104_CONNECTION_STARTDT_CON_RECEIVED) Semaphore_post(started);
}

static bool
onAsdu(void* parameter, int address, CS101_ASDU asdu)
{
    (void)parameter;
    (void)address;
    int type = CS101_ASDU_getTypeID(asdu);
    int cot = CS101_ASDU_getCOT(asdu);
    if (type == M_ME_NC_1 && cot == CS101_COT_INTERROGATED_BY_STATION) {
        int n = CS101_ASDU_getNumberOfElements(asdu);
        for (int i = 0; i < n; i++) {
            MeasuredValueShort io = (MeasuredValueShort)CS101_ASDU_getElement(asdu, i);
            if (!io) continue;
            if (collected < 200000) {
                ioas[collected] = InformationObject_getObjectAddress((InformationObject)io);
                values[collected] = MeasuredValueShort_getValue(io);
                qualities[collected] = MeasuredValueShort_getQuality(io);
            }
            collected++;
            MeasuredValueShort_destroy(io);
        }
    } else if (type == C_IC_NA_1 && cot == CS101_COT_ACTIVATION_TERMINATION) Semaphore_post(terminated);
    return true;
}

static double
nowMs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double
cpuMs(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static int
client(int port, const char* localIp)
{
    ioas = malloc(sizeof(int) * 200000);
    values = malloc(sizeof(float) * 200000);
    qualities = malloc(200000);
    started = Semaphore_create(0);
    terminated = Semaphore_create(0);
    CS104_Connection con = CS104_Connection_create("127.0.0.1", port);
    if (localIp) CS104_Connection_setLocalAddress(con, localIp, -1);
    CS104_Connection_setConnectionHandler(con, onConnection, NULL);
    CS104_Connection_setASDUReceivedHandler(con, onAsdu, NULL);
    if (!CS104_Connection_connect(con)) {
        fprintf(stderr, "lib60870-peer: connect to port %d failed\n", port);
        return 1;
    }
    CS104_Connection_sendStartDT(con);
    Semaphore_wait(started);
    printf("{\"ready\":1}\n");
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "gi", 2) != 0) continue;
        collected = 0;
        double c0 = cpuMs();
        double t0 = nowMs();
        CS104_Connection_sendInterrogationCommand(con, CS101_COT_ACTIVATION, 1, IEC60870_QOI_STATION);
        Semaphore_wait(terminated);
        double t1 = nowMs();
        double c1 = cpuMs();
        printf("{\"ms\":%.3f,\"cpuMs\":%.3f,\"objects\":%d}\n", t1 - t0, c1 - c0, collected);
        fflush(stdout);
    }
    CS104_Connection_destroy(con);
    return 0;
}

int
main(int argc, char** argv)
{
    if (argc >= 3 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "client") == 0) return client(atoi(argv[2]), argc >= 4 ? argv[3] : NULL);
    fprintf(stderr, "usage: lib60870-peer server <n> | client <port> [local-ip]\n");
    return 2;
}
