package io.cohort.core.admin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message of the cluster admin protocol, sent as JSON in the payload of an envelope whose source node is the
 * sender. Fields that a kind does not use are null, and readers ignore fields they do not know, so a newer node can
 * add fields without breaking an older one.
 *
 * @param kind what the message is
 * @param requestId the id of the query that a {@code QUERY}, {@code ROWS} or {@code ERROR} message belongs to
 * @param query the query name of a {@code QUERY} message, for example {@code caches}
 * @param rows the rows of a {@code ROWS} message, as a JSON array
 * @param error the failure of an {@code ERROR} message
 * @param instance the random id of the sender's cluster admin, set in {@code HELLO} messages. Two nodes that send one
 *     node id with different instances share that id
 * @param location the sender's process id and data folder, set in {@code HELLO} messages, for the operator
 */
record AdminMessage(Kind kind, String requestId, String query, JsonNode rows, String error, String instance,
        String location) {

    /** The kinds of messages. */
    enum Kind {

        /**
         * A node started listening, and every other node that receives it responds {@code PRESENT}. It is the
         * only message that also reaches nodes with the sender's node id, so that such nodes detect the shared id.
         */
        HELLO,

        /** The response to {@code HELLO}, on the reply topic of the node that said hello. */
        PRESENT,

        /** A node is stopping; the others forget it. */
        BYE,

        /** A request for the rows of one query, on the request topic. */
        QUERY,

        /** The rows of one node, on the reply topic of the asking node. */
        ROWS,

        /** A node received the query but could not compute its rows. */
        ERROR
    }

    static AdminMessage of(Kind kind) {
        return new AdminMessage(kind, null, null, null, null, null, null);
    }

    static AdminMessage hello(String instance, String location) {
        return new AdminMessage(Kind.HELLO, null, null, null, null, instance, location);
    }

    static AdminMessage query(String requestId, String query) {
        return new AdminMessage(Kind.QUERY, requestId, query, null, null, null, null);
    }

    static AdminMessage rows(String requestId, JsonNode rows) {
        return new AdminMessage(Kind.ROWS, requestId, null, rows, null, null, null);
    }

    static AdminMessage error(String requestId, String error) {
        return new AdminMessage(Kind.ERROR, requestId, null, null, error, null, null);
    }
}
