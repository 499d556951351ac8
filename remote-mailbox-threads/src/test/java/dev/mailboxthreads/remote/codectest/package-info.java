/**
 * Message classes, tripwires and class loaders for {@code JavaCodecTest}: {@code msg} (and its
 * subpackage) is the package the tests allow; {@code evil} and {@code msgevil} hold classes that
 * must never be loaded, initialized or instantiated by a codec that does not allow them.
 */
package dev.mailboxthreads.remote.codectest;
