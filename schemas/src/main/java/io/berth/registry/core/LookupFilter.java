package io.berth.registry.core;

/** Which versions a query sees: live ones (default), live and soft-deleted, or soft-deleted only. */
public enum LookupFilter {
    LIVE, INCLUDE_DELETED, DELETED_ONLY;

    public static LookupFilter of(boolean deleted, boolean deletedOnly) {
        return deletedOnly ? DELETED_ONLY : deleted ? INCLUDE_DELETED : LIVE;
    }

    public boolean accepts(SchemaEntry e) {
        return switch (this) {
            case LIVE -> !e.deleted();
            case INCLUDE_DELETED -> true;
            case DELETED_ONLY -> e.deleted();
        };
    }
}
