#!/usr/bin/python3
"""Drives Berth's schema registry with Confluent's own Python client (Debian python3-confluent-kafka,
legacy confluent_kafka.avro API): registers a schema, produces an Avro record in Confluent's wire
format, consumes it back, and consumes a record Berth's Java AvroSerde produced.

usage: confluent_python_roundtrip.py BOOTSTRAP REGISTRY_URL SCHEMA_FILE PY_TOPIC JAVA_TOPIC
Prints one JSON object per line: {"event": ..., ...}. Exit code 0 on success."""
import json
import sys

try:
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroConsumer, AvroProducer
    from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
except ImportError as e:
    print(json.dumps({"event": "missing", "error": str(e)}))
    sys.exit(3)


def out(**kv):
    print(json.dumps(kv, sort_keys=True), flush=True)


def consume_one(bootstrap, registry, topic, group):
    consumer = AvroConsumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "schema.registry.url": registry,
    })
    consumer.subscribe([topic])
    try:
        for _ in range(60):
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise RuntimeError(str(msg.error()))
            return msg.value()
        raise RuntimeError("no record on " + topic + " within 60 s")
    finally:
        consumer.close()


def main():
    bootstrap, registry, schema_file, py_topic, java_topic = sys.argv[1:6]
    with open(schema_file) as f:
        schema = avro.loads(f.read())

    client = CachedSchemaRegistryClient({"url": registry})
    schema_id = client.register(py_topic + "-value", schema)
    out(event="registered", subject=py_topic + "-value", id=schema_id)
    same_id = client.register(py_topic + "-value", schema)
    out(event="re-registered", id=same_id)

    record = {"taskId": "web-abc123-xyz01", "podName": "web-abc123-xyz01", "namespace": "default",
              "container": "main", "stream": "stdout", "line": "hello from python", "timestamp": 1700000000000,
              "nodeId": "node-1"}
    producer = AvroProducer({"bootstrap.servers": bootstrap, "schema.registry.url": registry},
                            default_value_schema=schema)
    producer.produce(topic=py_topic, value=record)
    producer.flush(30)
    out(event="produced", topic=py_topic)

    out(event="consumed", topic=py_topic, value=consume_one(bootstrap, registry, py_topic, "py-reader-1"))
    out(event="consumed", topic=java_topic, value=consume_one(bootstrap, registry, java_topic, "py-reader-2"))

    try:
        client.register(py_topic + "-value", avro.loads('{"type":"record","name":"LogLine","namespace":"io.berth.schemas.avro",'
                                                       '"fields":[{"name":"taskId","type":"int"}]}'))
        out(event="incompatible-accepted")
    except Exception as e:  # ClientError carries the registry's message and HTTP status
        out(event="incompatible-refused", error=str(e), status=getattr(e, "http_code", None))


if __name__ == "__main__":
    main()
