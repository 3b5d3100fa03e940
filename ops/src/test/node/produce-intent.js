#!/usr/bin/env node
'use strict';
/*
 * Deploys to Berth by producing an Intent straight onto berth.intents with kafkajs and
 * @kafkajs/confluent-schema-registry: no gateway, no Berth code.
 *
 * usage: node produce-intent.js BOOTSTRAP REGISTRY_URL EXAMPLE_JSON CLIENT_ID [COPIES] [NAME] [INTENT_ID]
 *   EXAMPLE_JSON  ops/examples/external-intent.json: {"topic", "subject", "key", "value"}
 *   COPIES        how many times the same record is produced (default 1; 2 shows de-duplication)
 *   NAME          renames the deployment (value.name and the key's last segment)
 *   INTENT_ID     overrides value.intentId
 * Prints one JSON object per line ({"event": ...}); exit code 0 on success.
 *
 * The example's value is plain JSON with unions unwrapped (a union value is the plain value).
 * avsc, under the registry client, reads a union of several records only in its wrapped form
 * ({"io.berth.schemas.avro.DeploymentSpec": {...}}; an unwrapped union of several records is
 * ambiguous to it), so the value is wrapped against the fetched schema first: each union takes
 * the first branch the plain value is valid for, like fastavro and the Python avro library do.
 */
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

/** The wrapped (avsc) form of a plain JSON value of `type`, or undefined when it does not fit. */
function wrap(type, value) {
  switch (type.typeName) {
    case 'union:wrapped': {
      if (value === null && type.types.some((t) => t.typeName === 'null')) return null;
      for (const branch of type.types) {
        if (branch.typeName === 'null') continue;
        const w = wrap(branch, value);
        if (w !== undefined && branch.isValid(w)) return { [branch.branchName]: w };
      }
      return undefined;
    }
    case 'record':
    case 'error': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      const r = {};
      for (const f of type.fields) {
        // a field the example leaves out takes its default, as a writer on an older schema would (new fields
        // are added with defaults: see schemas/README, "Changing a schema")
        const given = Object.prototype.hasOwnProperty.call(value, f.name) ? value[f.name] : f.defaultValue();
        const w = wrap(f.type, given);
        if (w === undefined) return undefined;
        r[f.name] = w;
      }
      return r;
    }
    case 'array':
      return Array.isArray(value) ? value.map((v) => wrap(type.itemsType, v)) : undefined;
    case 'map': {
      if (value === null || typeof value !== 'object') return undefined;
      const m = {};
      for (const [k, v] of Object.entries(value)) m[k] = wrap(type.valuesType, v);
      return m;
    }
    default:
      return type.isValid(value) ? value : undefined;
  }
}

async function main() {
  const [bootstrap, registryUrl, examplePath, clientId, copiesArg, name, intentId] = process.argv.slice(2);
  const example = JSON.parse(fs.readFileSync(examplePath, 'utf8'));
  const value = example.value;
  let key = example.key;
  if (name) {
    value.name = name;
    key = key.split('/').slice(0, 2).concat(name).join('/');
  }
  if (intentId) value.intentId = intentId;
  const copies = Number(copiesArg || 1);

  const registry = new SchemaRegistry({ host: registryUrl, clientId });
  const schemaId = await registry.getLatestSchemaId(example.subject);
  const schema = await registry.getSchema(schemaId);
  const wrapped = wrap(schema, value);
  if (wrapped === undefined) throw new Error('the example value does not follow the schema of ' + example.subject);
  const encoded = await registry.encode(schemaId, wrapped);
  out({ event: 'encoded', subject: example.subject, schemaId, bytes: encoded.length });

  const kafka = new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: logLevel.WARN });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < copies; i++) {
      const [md] = await producer.send({
        topic: example.topic,
        acks: -1,
        messages: [{ key, value: encoded, headers: { 'berth.client-id': clientId } }],
      });
      out({ event: 'produced', topic: md.topicName, partition: md.partition, offset: md.baseOffset, key });
    }
  } finally {
    await producer.disconnect();
  }
}

main().then(() => process.exit(0), (e) => {
  out({ event: 'failed', error: String(e && e.stack || e) });
  process.exit(1);
});
