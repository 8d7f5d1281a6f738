const { XMLParser, XMLValidator } = require('fast-xml-parser');
const r = require('./src/protocols/sep2/mirrorMeterReading.js');
const x = require('./src/protocols/sep2/xml.js');
const t0s = 1767225600;
const v = { all: 10, results: 10, MirrorMeterReading: Array.from({length:10},(_, m) => ({ mRID: 'AB'+m, MirrorReadingSet: [{ mRID: 'CD', timePeriod: { start: 1, duration: 60 }, Reading: Array.from({length:120},(_, i)=>({ timePeriod: { start: t0s+i*30, duration: 30 }, value: i })) }] })) };
const xml = r.MirrorMeterReadingListResource.serialize(v);
function t(name, fn) { for (let i=0;i<5;i++) fn(); const t0=performance.now(); let n=0; while(performance.now()-t0<1500){fn();n++;} console.log(name, (1000*(performance.now()-t0)/n).toFixed(2), 'ms'); }

const p = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false });
t('parse', () => p.parse(xml));
const p2 = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false, trimValues: true, processEntities: false });
t('parse-noent', () => p2.parse(xml));
const tree = x.parseXmlTree(xml).body;


for (const [n,o] of [['bare',{}],['attrs',{ignoreAttributes:false}],['ns',{removeNSPrefix:true}],['tagval',{parseTagValue:false}],['trim',{trimValues:true}], ['all-but-ns', { ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true, processEntities: false }]]) { const pp = new XMLParser(o); t(n, () => pp.parse(xml)); }
