// Hand-written golden vectors for the IEC 104 codec. The hex below is composed by hand from the octet layouts of
// IEC 60870-5-101:2003 §7 (ASDU, elements) as profiled by IEC 60870-5-104:2006 §5 (APCI) and §9 (COT 2 octets,
// CA 2 octets, IOA 3 octets); it is NOT produced by the codec under test. Run: node make-vectors.mjs > asdu.json
const T = '2E160403A2011A'; // 2026-01-02 (Friday) 03:04:05.678: ms 5678 = 0x162E LE, min 4, hour 3, day 2 | dow 5<<5, month 1, year 26
const time = { ms: 5678, minute: 4, hour: 3, day: 2, dow: 5, month: 1, year: 26, invalid: false, summer: false };
const S101 = 'IEC 60870-5-101:2003';
const S104 = 'IEC 60870-5-104:2006';
const hdr = (type, vsq, cot, oa = '00', ca = '0100') => type + vsq + cot + oa + ca;
const asdu = (typeId, cot, objects, extra = {}) => ({ typeId, sq: false, cot, negative: false, test: false, originator: 0, ca: 1, objects, ...extra });
const IOA = 'E90300'; // 1001
const CIOA = '881300'; // 5000
const v = [];
const add = (name, source, hex, decoded) => v.push({ name, source, hex, decoded });

add('M_SP_NA_1 on, good', `${S101} 7.3.1.1, SIQ 7.2.6.1`, hdr('01', '01', '03') + IOA + '01', asdu(1, 3, [{ ioa: 1001, value: true, quality: {} }]));
add('M_SP_NA_1 off, IV NT', `${S101} 7.3.1.1, SIQ 7.2.6.1`, hdr('01', '01', '03') + IOA + 'C0', asdu(1, 3, [{ ioa: 1001, value: false, quality: { iv: true, nt: true } }]));
add('M_DP_NA_1 on (2), BL', `${S101} 7.3.1.3, DIQ 7.2.6.2`, hdr('03', '01', '03') + IOA + '12', asdu(3, 3, [{ ioa: 1001, value: 2, quality: { bl: true } }]));
add('M_ST_NA_1 -5 transient', `${S101} 7.3.1.5, VTI 7.2.6.5, QDS 7.2.6.3`, hdr('05', '01', '03') + IOA + 'FB00', asdu(5, 3, [{ ioa: 1001, value: -5, transient: true, quality: {} }]));
add('M_BO_NA_1 0x12345678', `${S101} 7.3.1.7, BSI 7.2.6.13`, hdr('07', '01', '03') + IOA + '7856341200', asdu(7, 3, [{ ioa: 1001, value: 0x12345678, quality: {} }]));
add('M_ME_NA_1 0.5', `${S101} 7.3.1.9, NVA 7.2.6.6`, hdr('09', '01', '03') + IOA + '004000', asdu(9, 3, [{ ioa: 1001, value: 0.5, quality: {} }]));
add('M_ME_NA_1 -1.0 OV', `${S101} 7.3.1.9, NVA 7.2.6.6, QDS OV 7.2.6.3`, hdr('09', '01', '03') + IOA + '008001', asdu(9, 3, [{ ioa: 1001, value: -1, quality: { ov: true } }]));
add('M_ME_NB_1 -2 SB', `${S101} 7.3.1.11, SVA 7.2.6.7`, hdr('0B', '01', '03') + IOA + 'FEFF20', asdu(11, 3, [{ ioa: 1001, value: -2, quality: { sb: true } }]));
add('M_ME_NC_1 230.5', `${S101} 7.3.1.13, R32 7.2.6.8 (IEEE 754 0x43668000)`, hdr('0D', '01', '03') + IOA + '0080664300', asdu(13, 3, [{ ioa: 1001, value: 230.5, quality: {} }]));
add('M_IT_NA_1 100000 seq 3 CY, COT 37', `${S101} 7.3.1.15, BCR 7.2.6.9`, hdr('0F', '01', '25') + IOA + 'A086010023', asdu(15, 37, [{ ioa: 1001, value: 100000, sequence: 3, carry: true, adjusted: false, quality: {} }]));
add('M_ME_ND_1 0.25', `${S101} 7.3.1.21, NVA 7.2.6.6`, hdr('15', '01', '01') + IOA + '0020', asdu(21, 1, [{ ioa: 1001, value: 0.25 }]));
add('M_SP_TB_1 on', `${S101} 7.3.1.22, CP56Time2a 7.2.6.18`, hdr('1E', '01', '03') + IOA + '01' + T, asdu(30, 3, [{ ioa: 1001, value: true, quality: {}, time }]));
add('M_DP_TB_1 off (1)', `${S101} 7.3.1.23`, hdr('1F', '01', '03') + IOA + '01' + T, asdu(31, 3, [{ ioa: 1001, value: 1, quality: {}, time }]));
add('M_ST_TB_1 10', `${S101} 7.3.1.24`, hdr('20', '01', '03') + IOA + '0A00' + T, asdu(32, 3, [{ ioa: 1001, value: 10, transient: false, quality: {}, time }]));
add('M_BO_TB_1 0xA5A5A5A5', `${S101} 7.3.1.25`, hdr('21', '01', '03') + IOA + 'A5A5A5A500' + T, asdu(33, 3, [{ ioa: 1001, value: 0xa5a5a5a5, quality: {}, time }]));
add('M_ME_TD_1 -0.5', `${S101} 7.3.1.26`, hdr('22', '01', '03') + IOA + '00C000' + T, asdu(34, 3, [{ ioa: 1001, value: -0.5, quality: {}, time }]));
add('M_ME_TE_1 1234', `${S101} 7.3.1.27`, hdr('23', '01', '03') + IOA + 'D20400' + T, asdu(35, 3, [{ ioa: 1001, value: 1234, quality: {}, time }]));
add('M_ME_TF_1 -1.5 IV', `${S101} 7.3.1.28 (IEEE 754 0xBFC00000)`, hdr('24', '01', '03') + IOA + '0000C0BF80' + T, asdu(36, 3, [{ ioa: 1001, value: -1.5, quality: { iv: true }, time }]));
add('M_IT_TB_1 -1 seq 5', `${S101} 7.3.1.29`, hdr('25', '01', '03') + IOA + 'FFFFFFFF05' + T, asdu(37, 3, [{ ioa: 1001, value: -1, sequence: 5, carry: false, adjusted: false, quality: {}, time }]));
add('M_EP_TD_1 on EI 250 ms', `${S101} 7.3.1.30, SEP 7.2.6.10, CP16Time2a 7.2.6.20`, hdr('26', '01', '03') + IOA + '0AFA00' + T, asdu(38, 3, [{ ioa: 1001, value: 2, quality: { ei: true }, elapsed: 250, time }]));
add('M_EI_NA_1 local power on', `${S101} 7.3.3.1, COI 7.2.6.21`, hdr('46', '01', '04') + '000000' + '00', asdu(70, 4, [{ ioa: 0, value: 0, localChange: false }]));
add('M_EI_NA_1 local reset after parameter change', `${S101} 7.3.3.1, COI 7.2.6.21`, hdr('46', '01', '04') + '000000' + '82', asdu(70, 4, [{ ioa: 0, value: 2, localChange: true }]));
add('C_SC_NA_1 select on', `${S101} 7.3.2.1, SCO 7.2.6.15`, hdr('2D', '01', '06') + CIOA + '81', asdu(45, 6, [{ ioa: 5000, value: true, qualifier: 0, select: true }]));
add('C_SC_NA_1 execute off short pulse', `${S101} 7.3.2.1, SCO QU=1 7.2.6.15`, hdr('2D', '01', '06') + CIOA + '04', asdu(45, 6, [{ ioa: 5000, value: false, qualifier: 1, select: false }]));
add('C_DC_NA_1 execute on long pulse', `${S101} 7.3.2.2, DCO 7.2.6.16`, hdr('2E', '01', '06') + CIOA + '0A', asdu(46, 6, [{ ioa: 5000, value: 2, qualifier: 2, select: false }]));
add('C_RC_NA_1 select lower', `${S101} 7.3.2.3, RCO 7.2.6.17`, hdr('2F', '01', '06') + CIOA + '81', asdu(47, 6, [{ ioa: 5000, value: 1, qualifier: 0, select: true }]));
add('C_SE_NA_1 select 0.5', `${S101} 7.3.2.4, NVA + QOS`, hdr('30', '01', '06') + CIOA + '004080', asdu(48, 6, [{ ioa: 5000, value: 0.5, qualifier: 0, select: true }]));
add('C_SE_NB_1 1000', `${S101} 7.3.2.5, SVA + QOS`, hdr('31', '01', '06') + CIOA + 'E80300', asdu(49, 6, [{ ioa: 5000, value: 1000, qualifier: 0, select: false }]));
add('C_SE_NC_1 50.0', `${S101} 7.3.2.6, R32 + QOS (IEEE 754 0x42480000)`, hdr('32', '01', '06') + CIOA + '0000484200', asdu(50, 6, [{ ioa: 5000, value: 50, qualifier: 0, select: false }]));
add('C_BO_NA_1 0x0000FFFF', `${S101} 7.3.2.7, BSI 7.2.6.13`, hdr('33', '01', '06') + CIOA + 'FFFF0000', asdu(51, 6, [{ ioa: 5000, value: 0xffff }]));
add('C_SC_TA_1 execute on', `${S104} clause 8 type 58 (SCO + CP56Time2a)`, hdr('3A', '01', '06') + CIOA + '01' + T, asdu(58, 6, [{ ioa: 5000, value: true, qualifier: 0, select: false, time }]));
add('C_DC_TA_1 select off', `${S104} clause 8 type 59 (DCO + CP56Time2a)`, hdr('3B', '01', '06') + CIOA + '81' + T, asdu(59, 6, [{ ioa: 5000, value: 1, qualifier: 0, select: true, time }]));
add('C_RC_TA_1 execute higher', `${S104} clause 8 type 60 (RCO + CP56Time2a)`, hdr('3C', '01', '06') + CIOA + '02' + T, asdu(60, 6, [{ ioa: 5000, value: 2, qualifier: 0, select: false, time }]));
add('C_SE_TA_1 0.25', `${S104} clause 8 type 61 (NVA + QOS + CP56Time2a)`, hdr('3D', '01', '06') + CIOA + '002000' + T, asdu(61, 6, [{ ioa: 5000, value: 0.25, qualifier: 0, select: false, time }]));
add('C_SE_TB_1 -100', `${S104} clause 8 type 62 (SVA + QOS + CP56Time2a)`, hdr('3E', '01', '06') + CIOA + '9CFF00' + T, asdu(62, 6, [{ ioa: 5000, value: -100, qualifier: 0, select: false, time }]));
add('C_SE_TC_1 select 0.5', `${S104} clause 8 type 63 (R32 + QOS + CP56Time2a)`, hdr('3F', '01', '06') + CIOA + '0000003F80' + T, asdu(63, 6, [{ ioa: 5000, value: 0.5, qualifier: 0, select: true, time }]));
add('C_BO_TA_1 1', `${S104} clause 8 type 64 (BSI + CP56Time2a)`, hdr('40', '01', '06') + CIOA + '01000000' + T, asdu(64, 6, [{ ioa: 5000, value: 1, time }]));
add('C_IC_NA_1 station interrogation', `${S101} 7.3.4.1, QOI 7.2.6.22 (20 = station)`, hdr('64', '01', '06') + '000000' + '14', asdu(100, 6, [{ ioa: 0, qualifier: 20 }]));
add('C_IC_NA_1 group 3, broadcast CA, originator 5', `${S101} 7.3.4.1, QOI 23 = group 3; CA 0xFFFF broadcast ${S104} 9`, hdr('64', '01', '06', '05', 'FFFF') + '000000' + '17', asdu(100, 6, [{ ioa: 0, qualifier: 23 }], { originator: 5, ca: 0xffff }));
add('C_IC_NA_1 ACT_CON', `${S101} 7.3.4.1 (COT 7)`, hdr('64', '01', '07') + '000000' + '14', asdu(100, 7, [{ ioa: 0, qualifier: 20 }]));
add('C_CI_NA_1 general, read', `${S101} 7.3.4.2, QCC 7.2.6.23 (RQT 5, FRZ 0)`, hdr('65', '01', '06') + '000000' + '05', asdu(101, 6, [{ ioa: 0, qualifier: 5, freeze: 0 }]));
add('C_CI_NA_1 group 1, freeze', `${S101} 7.3.4.2, QCC 7.2.6.23 (RQT 1, FRZ 1)`, hdr('65', '01', '06') + '000000' + '41', asdu(101, 6, [{ ioa: 0, qualifier: 1, freeze: 1 }]));
add('C_RD_NA_1 read 1001', `${S101} 7.3.4.3 (no elements)`, hdr('66', '01', '05') + IOA, asdu(102, 5, [{ ioa: 1001 }]));
add('C_CS_NA_1 clock sync', `${S101} 7.3.4.4, CP56Time2a 7.2.6.18`, hdr('67', '01', '06') + '000000' + T, asdu(103, 6, [{ ioa: 0, time }]));
add('C_CS_NA_1 invalid summer time', `${S101} 7.2.6.18 (IV bit 7 of minutes, SU bit 7 of hours)`, hdr('67', '01', '06') + '000000' + '2E168483A2011A', asdu(103, 6, [{ ioa: 0, time: { ...time, invalid: true, summer: true } }]));
add('C_RP_NA_1 general reset', `${S101} 7.3.4.6, QRP 1`, hdr('69', '01', '06') + '000000' + '01', asdu(105, 6, [{ ioa: 0, qualifier: 1 }]));
add('C_TS_TA_1 TSC 0x1234', `${S104} clause 8 type 107 (TSC + CP56Time2a)`, hdr('6B', '01', '06') + '000000' + '3412' + T, asdu(107, 6, [{ ioa: 0, value: 0x1234, time }]));
add('M_ME_NC_1 SQ=1 three floats, COT 20', `${S101} 7.1 VSQ SQ=1 (one IOA then consecutive elements)`, hdr('0D', '83', '14') + '640000' + '0000803F00' + '0000004000' + '0000404000', asdu(13, 20, [{ ioa: 100, value: 1, quality: {} }, { ioa: 101, value: 2, quality: {} }, { ioa: 102, value: 3, quality: {} }], { sq: true }));
add('M_SP_NA_1 SQ=0 two objects', `${S101} 7.1 VSQ SQ=0 (IOA per object)`, hdr('01', '02', '14') + '0A0000' + '01' + '140000' + '00', asdu(1, 20, [{ ioa: 10, value: true, quality: {} }, { ioa: 20, value: false, quality: {} }]));
add('C_SC_NA_1 negative ACT_CON', `${S101} 7.2.3 COT 7 with P/N bit 6`, hdr('2D', '01', '47') + CIOA + '01', asdu(45, 7, [{ ioa: 5000, value: true, qualifier: 0, select: false }], { negative: true }));
add('M_SP_NA_1 test bit', `${S101} 7.2.3 T bit 7`, hdr('01', '01', '83') + IOA + '01', asdu(1, 3, [{ ioa: 1001, value: true, quality: {} }], { test: true }));
add('C_SC_NA_1 unknown IOA COT 47 negative', `${S101} 7.2.3 COT 47 + P/N`, hdr('2D', '01', '6F') + CIOA + '01', asdu(45, 47, [{ ioa: 5000, value: true, qualifier: 0, select: false }], { negative: true }));
add('M_ME_NB_1 large IOA and CA', `${S104} 9 (IOA 3 octets LE, CA 2 octets LE)`, hdr('0B', '01', '03', '00', '3412') + 'EFCDAB' + '010000', asdu(11, 3, [{ ioa: 0xabcdef, value: 1, quality: {} }], { ca: 0x1234 }));
add('TypeID 0 ACT_TERM without objects (peer quirk)', 'protocols.md peer quirk: GI ACT_TERM with TypeID 0; unknown types keep raw octets', hdr('00', '00', '0A'), { ...asdu(0, 10, []), raw: '', count: 0 });
add('unknown type 120 kept raw', `${S101} 7.2.1.1 (type 120 reserved for file transfer, not supported here)`, hdr('78', '01', '0D') + '010000' + 'AA', { ...asdu(120, 13, []), raw: '010000AA', count: 1 });

// Frames produced by an independent implementation: lib60870-C 2.4.1 (mz-automation/lib60870 commit 7a388e3, built
// locally as a loopback test peer, 2026-11-26), copied from its raw-message log. lib60870 sends day of week 0 (not used).
const LIB = 'cross-checked with lib60870-C 2.4.1';
const libTime = (ms, minute) => ({ ms, minute, hour: 22, day: 26, dow: 0, month: 11, year: 26, invalid: false, summer: false });
add('lib60870 M_ME_TF_1 49.5 spontaneous', `${LIB} cs104 slave (MeasuredValueShortWithCP56Time2a); ${S101} 7.3.1.28`, '240103000100C6020000004642008A1B1D161A0B1A', asdu(36, 3, [{ ioa: 710, value: 49.5, quality: {}, time: libTime(7050, 29) }]));
add('lib60870 M_ME_NC_1 two objects SQ=0, IV NT, COT 20', `${LIB} cs104 slave (MeasuredValueShort); ${S101} 7.3.1.13`, '0D0214000100BC020000004841' + '00' + 'BE0200000050C0C0', asdu(13, 20, [{ ioa: 700, value: 12.5, quality: {} }, { ioa: 702, value: -3.25, quality: { iv: true, nt: true } }]));
add('lib60870 M_DP_NA_1 SQ=1 0..3, BL', `${LIB} cs104 slave (DoublePointInformation, sequence ASDU); ${S101} 7.3.1.3`, '038414000100C800000001021' + '3', asdu(3, 20, [{ ioa: 200, value: 0, quality: {} }, { ioa: 201, value: 1, quality: {} }, { ioa: 202, value: 2, quality: {} }, { ioa: 203, value: 3, quality: { bl: true } }], { sq: true }));
add('lib60870 M_ST_NA_1 -5 transient', `${LIB} cs104 slave (StepPositionInformation); ${S101} 7.3.1.5`, '0501140001002C0100FB00', asdu(5, 20, [{ ioa: 300, value: -5, transient: true, quality: {} }]));
add('lib60870 M_ME_NA_1 -0.5 OV', `${LIB} cs104 slave (MeasuredValueNormalized); ${S101} 7.3.1.9`, '090114000100F4010000C001', asdu(9, 20, [{ ioa: 500, value: -0.5, quality: { ov: true } }]));
add('lib60870 M_IT_NA_1 -123456 seq 7 CY, COT 37', `${LIB} cs104 slave (IntegratedTotals, BinaryCounterReading); ${S101} 7.3.1.15`, '0F0125000100200300C01DFEFF27', asdu(15, 37, [{ ioa: 800, value: -123456, sequence: 7, carry: true, adjusted: false, quality: {} }]));
add('lib60870 C_SE_TC_1 select 7.5', `${LIB} cs104 connection (SetpointCommandShortWithCP56Time2a); ${S104} clause 8 type 63`, '3F01060001008D13000000F040803F811E161A0B1A', asdu(63, 6, [{ ioa: 5005, value: 7.5, qualifier: 0, select: true, time: libTime(33087, 30) }]));
add('lib60870 C_SE_NB_1 -1234', `${LIB} cs104 connection (SetpointCommandScaled); ${S101} 7.3.2.5`, '3101060001008C13002EFB00', asdu(49, 6, [{ ioa: 5004, value: -1234, qualifier: 0, select: false }]));
add('lib60870 C_SE_NA_1 -0.25', `${LIB} cs104 connection (SetpointCommandNormalized); ${S101} 7.3.2.4`, '3001060001008B130000E000', asdu(48, 6, [{ ioa: 5003, value: -0.25, qualifier: 0, select: false }]));
add('lib60870 C_TS_TA_1 TSC 0x4938', `${LIB} cs104 connection (sendTestCommandWithTimestamp); ${S104} clause 8 type 107`, '6B010600010000000038492C731E161A0B1A', asdu(107, 6, [{ ioa: 0, value: 0x4938, time: libTime(29484, 30) }]));
add('lib60870 C_CI_NA_1 group 2, freeze without reset', `${LIB} cs104 connection (QCC 0x42); ${S101} 7.3.4.2`, '650106000100000000' + '42', asdu(101, 6, [{ ioa: 0, qualifier: 2, freeze: 1 }]));

const apdus = [
  { name: 'STARTDT act', source: `${S104} 5.3 U format`, hex: '680407000000', apci: { format: 'U', fn: 'STARTDT_ACT' } },
  { name: 'STARTDT con', source: `${S104} 5.3 U format`, hex: '68040B000000', apci: { format: 'U', fn: 'STARTDT_CON' } },
  { name: 'STOPDT act', source: `${S104} 5.3 U format`, hex: '680413000000', apci: { format: 'U', fn: 'STOPDT_ACT' } },
  { name: 'STOPDT con', source: `${S104} 5.3 U format`, hex: '680423000000', apci: { format: 'U', fn: 'STOPDT_CON' } },
  { name: 'TESTFR act', source: `${S104} 5.3 U format`, hex: '680443000000', apci: { format: 'U', fn: 'TESTFR_ACT' } },
  { name: 'TESTFR con', source: `${S104} 5.3 U format`, hex: '680483000000', apci: { format: 'U', fn: 'TESTFR_CON' } },
  { name: 'S frame N(R)=1', source: `${S104} 5.2 S format`, hex: '680401000200', apci: { format: 'S', nr: 1 } },
  { name: 'S frame N(R)=32767', source: `${S104} 5.2 S format (15-bit N(R))`, hex: '68040100FEFF', apci: { format: 'S', nr: 32767 } },
  { name: 'I frame GI N(S)=0 N(R)=0', source: `${S104} 5.1 I format`, hex: '680E00000000' + '64010600010000000014', apci: { format: 'I', ns: 0, nr: 0 }, asdu: '64010600010000000014' },
  { name: 'I frame N(S)=32767 N(R)=300', source: `${S104} 5.1 I format (N(S) = CF1>>1 | CF2<<7)`, hex: '680EFEFF5802' + '64010600010000000014', apci: { format: 'I', ns: 32767, nr: 300 }, asdu: '64010600010000000014' },
];

const bad = [
  { name: 'wrong start octet', hex: '690407000000', offset: 0 },
  { name: 'length below 4', hex: '6803070000', offset: 1 },
  { name: 'length 254', hex: '68FE' + '00'.repeat(254), offset: 1 },
  { name: 'S frame with extra octet', hex: '68050100020000', offset: 1 },
  { name: 'U frame with two function bits', hex: '68040F000000', offset: 2 },
  { name: 'I frame without ASDU', hex: '680400000000', offset: 6 },
  { name: 'length field longer than frame', hex: '680A00000000640106', offset: 1 },
  { name: 'M_ME_NC_1 missing quality octet', hex: '681100000000' + '0D010300010001000000008066', offset: 19 },
  { name: 'M_SP_NA_1 one object too many octets', hex: '680F00000000' + '010103000100E903000100', offset: 16 },
  { name: 'SQ=1 IOA sequence past 16777215', hex: '680F00000000' + '018203000100' + 'FFFFFF' + '0101', offset: 12 },
];

process.stdout.write(JSON.stringify({ description: 'IEC 60870-5-104 golden vectors: ASDU octets (hex) ↔ decoded value; APDU framing; malformed frames with the offset of the error. Hex composed by hand from the standard layouts, plus frames captured from lib60870-C 2.4.1 on loopback (named lib60870 …), see make-vectors.mjs.', asdus: v, apdus, bad }, null, 1) + '\n');
