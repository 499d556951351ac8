/** JMH benchmarks of mailbox-threads, each against baselines measured in the same run. */
package dev.mailboxthreads.benchmarks;
