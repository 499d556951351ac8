package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.CurveKeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mbt keygen NAME}: writes a new CURVE key pair as two ZeroMQ certificates, {@code NAME}
 * (public) and {@code NAME_secret} (secret, owner-only), with {@link CurveKeyPair#save}.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "Writes a new CURVE key pair, for publications and connections that use CURVE.",
        "",
        "Writes two ZeroMQ certificates (the ZPL text format of CZMQ's zcert and pyzmq's"
            + " zmq.auth, keys in Z85): NAME, the public certificate, to hand to peers, and"
            + " NAME_secret, with both keys, created readable and writable by you only"
            + " (rw-------). Existing files are never overwritten. Prints the public key on"
            + " standard output, and each file written on standard error.",
        "",
        "In Java: CurveKeyPair.load(Path.of(\"NAME_secret\")) for your own pair,"
            + " CurveKeyPair.readPublicKey(Path.of(\"NAME\")) for a peer's key,"
            + " CurveServer.allowingKeysIn(pair, directory) for the clients a publication"
            + " allows (docs/remote.md, Security).",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:both files written",
        "2:usage: a file exists already, no such directory, or it cannot be written"},
    footer = {"", "Example: mbt keygen server.key   (writes server.key and server.key_secret)"})
final class KeygenCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME",
      description = "the public certificate's path; the secret one is NAME_secret")
  private Path name;

  @Override
  public Integer call() {
    Path parent = name.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw Failure.usage("no such directory: " + parent + "; create it first, or choose"
          + " another NAME");
    }
    if (Files.isDirectory(name)) {
      throw Failure.usage(name + " is a directory; NAME is the public certificate's file, e.g. "
          + name.resolve("server.key"));
    }
    CurveKeyPair pair = CurveKeyPair.generate();
    Path secret;
    try {
      secret = pair.save(name);
    } catch (FileAlreadyExistsException e) {
      throw Failure.usage(e.getFile() + " exists already; keygen never overwrites a key file:"
          + " remove it (and its pair) or choose another NAME");
    } catch (AccessDeniedException e) {
      throw Failure.usage("cannot write " + e.getFile() + ": permission denied; choose a"
          + " directory you can write to");
    } catch (IOException e) {
      throw Failure.usage("cannot write the key files " + name + " and " + name
          + CurveKeyPair.SECRET_SUFFIX + ": " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    err.println("wrote " + name + " (public certificate: give it to peers)");
    err.println("wrote " + secret + " (secret certificate, rw-------: keep it to yourself)");
    out.println(pair.publicKey());
    return Exit.OK;
  }
}
