#!/usr/bin/python3
"""Deploys to Berth by producing an Intent straight onto berth.intents with Confluent's Python client
(Debian python3-confluent-kafka 1.7, legacy confluent_kafka.avro API, with python3-avro): no gateway,
no Berth code.

usage: produce_intent.py BOOTSTRAP REGISTRY_URL EXAMPLE_JSON CLIENT_ID [COPIES] [NAME] [INTENT_ID]
(arguments as ops/src/test/node/produce-intent.js). Prints one JSON object per line; exit code 0 on success.

The example's value is plain JSON with unions unwrapped: the avro library writes a union value with
the first branch it validates against, so the value is encoded as it is. The schema is the subject's
latest version, fetched (not registered) from the registry; the value is encoded by the legacy API's
MessageSerializer (what AvroProducer uses) against that schema id. AvroProducer itself insists on an
Avro key, while Berth's keys are plain UTF-8 strings, so the record is sent with the AvroProducer's
plain Producer.produce: key as bytes, value already in Confluent's wire format."""
import json
import sys

try:
    from confluent_kafka import Producer
    from confluent_kafka.avro import AvroProducer
    from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
    from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
except ImportError as e:
    print(json.dumps({"event": "missing", "error": str(e)}))
    sys.exit(3)


def out(**kv):
    print(json.dumps(kv, sort_keys=True), flush=True)


def main():
    bootstrap, registry_url, example_path, client_id = sys.argv[1:5]
    copies = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    name = sys.argv[6] if len(sys.argv) > 6 else ""
    intent_id = sys.argv[7] if len(sys.argv) > 7 else ""
    with open(example_path) as f:
        example = json.load(f)
    value, key = example["value"], example["key"]
    if name:
        value["name"] = name
        key = "/".join(key.split("/")[:2] + [name])
    if intent_id:
        value["intentId"] = intent_id

    registry = CachedSchemaRegistryClient({"url": registry_url})
    schema_id, schema, version = registry.get_latest_schema(example["subject"])
    if schema_id is None:
        raise RuntimeError("subject " + example["subject"] + " has no schema")
    encoded = MessageSerializer(registry).encode_record_with_schema_id(schema_id, value)
    out(event="encoded", subject=example["subject"], schemaId=schema_id, version=version, bytes=len(encoded))

    producer = AvroProducer({"bootstrap.servers": bootstrap, "client.id": client_id, "enable.idempotence": True,
                             # murmur2 like Java's default partitioner: intents must land where Berth's own producers put the same key
                             "partitioner": "murmur2_random"},
                            default_value_schema=schema, schema_registry=registry)
    delivered = []

    def on_delivery(err, msg):
        if err is not None:
            raise RuntimeError("delivery failed: " + str(err))
        delivered.append(msg)
        out(event="produced", topic=msg.topic(), partition=msg.partition(), offset=msg.offset(), key=key)

    for _ in range(copies):
        Producer.produce(producer, example["topic"], encoded, key.encode("utf-8"),
                         headers=[("berth.client-id", client_id.encode("utf-8"))], on_delivery=on_delivery)
        producer.flush(30)
    if len(delivered) != copies:
        raise RuntimeError("%d of %d records delivered" % (len(delivered), copies))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the test to show
        out(event="failed", error=repr(e))
        sys.exit(1)
