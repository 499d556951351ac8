package dev.mailboxthreads.remote.internal;

import java.util.List;

/**
 * The call envelope of a frame, read from its metadata section (docs/wire-format.md, "Call
 * envelope"): a request with its reply endpoints, or a reply.
 *
 * @param request true for a request, false for a reply
 * @param correlationId the call's id
 * @param replyTo a request's reply address, checked: its endpoints, then {@code curve:<key>}
 *     if it is a CURVE publication ({@link Endpoints#checkAddress}); empty for a reply
 */
public record Envelope(boolean request, long correlationId, List<String> replyTo) {}
