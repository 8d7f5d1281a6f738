const { XMLParser, XMLValidator } = require('fast-xml-parser');
const r = require('/work/main/.sep2tmp/src/protocols/sep2/mirrorMeterReading.js');
const x = require('/work/main/.sep2tmp/src/protocols/sep2/xml.js');
const v = { all: 2, results: 2, MirrorMeterReading: [0,1].map(m => ({ mRID: 'AB', MirrorReadingSet: [{ mRID: 'CD', timePeriod: { start: 1, duration: 60 }, Reading: [{ timePeriod: { start: 1, duration: 30 }, value: 5 }, { timePeriod: { start: 31, duration: 30 }, value: 6 }] }] })) };
const xml = r.MirrorMeterReadingListResource.serialize(v);
function t(name, fn) { for (let i=0;i<50;i++) fn(); const t0=performance.now(); let n=0; while(performance.now()-t0<500){fn();n++;} console.log(name, Math.round(n/((performance.now()-t0)/1000)), '/s'); }
t('validate', () => XMLValidator.validate(xml));
const p = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false, trimValues: true });
t('parse', () => p.parse(xml));
t('tree', () => x.parseXmlTree(xml));
const tree = x.parseXmlTree(xml).body;
t('zod', () => r.MirrorMeterReadingListSchema.parse(tree));
