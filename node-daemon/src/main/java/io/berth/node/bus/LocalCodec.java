package io.berth.node.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an immutable message object by reference between verticles of one Vert.x instance.
 * The daemon never clusters its event bus, so nothing is ever encoded.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    public LocalCodec(Class<T> type) {
        this.type = type;
    }

    /** Registers the codecs of every message the daemon's verticles exchange. */
    public static void registerAll(EventBus bus) {
        bus.registerDefaultCodec(AssignmentChange.class, new LocalCodec<>(AssignmentChange.class));
        bus.registerDefaultCodec(ContainerEvent.class, new LocalCodec<>(ContainerEvent.class));
        bus.registerDefaultCodec(TaskRunning.class, new LocalCodec<>(TaskRunning.class));
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
        throw new UnsupportedOperationException("local-only codec for " + type.getName());
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        throw new UnsupportedOperationException("local-only codec for " + type.getName());
    }

    @Override
    public T transform(T t) {
        return t;
    }

    @Override
    public String name() {
        return "local-" + type.getName();
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
