package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.remote.Addresses;
import java.util.ArrayList;
import java.util.List;
import org.apache.fory.config.Config;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.serializer.Serializer;

/**
 * JavaCodec's serializer for {@link Address} values (a local thread's mailbox, a {@code
 * RemoteThread}): writes the strings the address travels as ({@link Addresses#endpointsOf}:
 * its endpoints, then {@code curve:<key>} for a CURVE publication), a var-uint32 count then each
 * as a Fory string, and reads them back through {@link Addresses#fromEndpoints}.
 *
 * <p><b>Thread safety:</b> stateless; Fory calls it from the thread that holds the Fory
 * instance.
 */
final class AddressSerializer extends Serializer<Address> {
  /** At most as many endpoints as a call envelope carries. */
  static final int MAX_ENDPOINTS = 255;

  @SuppressWarnings("unchecked") // registered for implementations of Address
  AddressSerializer(Config config, Class<?> type) {
    super(config, (Class<Address>) type);
  }

  @Override
  public void write(WriteContext ctx, Address value) {
    List<String> endpoints = Addresses.endpointsOf(value);
    MemoryBuffer buffer = ctx.getBuffer();
    buffer.writeVarUInt32(endpoints.size());
    for (String e : endpoints) {
      ctx.writeString(e);
    }
  }

  @Override
  public Address read(ReadContext ctx) {
    MemoryBuffer buffer = ctx.getBuffer();
    int n = buffer.readVarUInt32();
    if (n < 1 || n > MAX_ENDPOINTS) {
      throw new IllegalArgumentException("an address of " + n + " endpoints (1 to "
          + MAX_ENDPOINTS + " expected)");
    }
    List<String> endpoints = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      endpoints.add(ctx.readString());
    }
    return Addresses.fromEndpoints(endpoints);
  }
}
