/**
 * For transports, not applications: how a thread waits for its mailbox when parking is not the
 * fastest way ({@link dev.mailboxthreads.spi.OwnerWait}).
 */
package dev.mailboxthreads.spi;
