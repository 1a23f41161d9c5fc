// RabbitMqTaskQueue: the TaskQueue of many-machines mode, on a RabbitMQ quorum queue (topology.h).
// It keeps the port's promises and no more: it has none of the capabilities (leases do not
// lapse, a dead consumer's leases need no releasing, publish keeps every copy).
//
// Delivery: the broker pushes deliveries (basic.consume, manual ack, basic.qos prefetch =
// RabbitMqOptions::prefetch, normally the worker's concurrency). A lease is an unacked delivery:
// token = "<connection generation>:<delivery tag>", attempt = x-pixfleet-attempts +
// x-delivery-count + 1 (quorum queues count failed deliveries, crashes included). A lease ends
// only with the consumer's connection: the broker returns an unacked delivery to the queue when
// that connection closes (crash, network fault, missed heartbeats) and, after x-delivery-limit
// returns, dead-letters it to <name>.dead. Heartbeat therefore only checks that the lease's
// connection still lives and sends an AMQP heartbeat frame on it (librabbitmq sends heartbeats
// only from inside its calls: a worker busy for longer than 2 x 15 s must call Heartbeat, which
// the worker does every lease_duration / 3). The broker's own consumer_timeout (30 min by
// default on 3.10) closes the channel of a delivery held longer; tasks must stay below it.
// expires_ms is informational (now + lease_duration, moved by Heartbeat).
//
// Settling: Ack -> basic.ack. Retry(delay) -> publish a copy (confirmed) carrying the attempts so
// far (x-pixfleet-attempts = attempt) to the retry queue of the delay's bucket (or straight to the
// work queue for no delay), then ack the original. Release -> the same with no delay and
// x-pixfleet-attempts = attempt - 1, so that the copy's first delivery has this one's attempt
// number: the handed-back delivery does not count. (Not basic.nack with requeue: RabbitMQ 3.10
// counts a nack in x-delivery-count, so it would count toward the delivery limit.) A released
// task goes to the back of the work queue. DeadLetter(reason) -> publish a copy (confirmed) to
// <name>.dead with the reason in header x-pixfleet-reason, then ack. If the connection dies
// between the copy and the ack, the task exists twice for a moment: at-least-once, and the
// effect is idempotent. A lease whose connection was lost is kAborted (the broker has already
// requeued it).
//
// StopLeasing -> basic.cancel of the consumer; the deliveries the broker pushed ahead (the
// prefetch, and any that arrive before the cancel-ok: librabbitmq keeps them while it waits for
// it, and the broker sends none after) are each handed back as Release does: a confirmed copy
// with this delivery's attempts, then an ack of the original. Without it a stopping worker would
// keep them unacked until its connection closed, and the broker would then count a delivery
// for each (and keep delivering to it the copies it released itself). The connection stays
// open for the leases still held; LeaseNext then returns nullopt at once, and a lost connection
// is not replaced by a new consumer. StopReceiving cancels the consumer the same way but keeps
// those deliveries as leases for LeaseNext to return (then nullopt); a StopLeasing after it hands
// back the ones not yet returned.
//
// Publish is NOT idempotent by task id: publishing a task twice puts two messages on the queue.
// Every message carries message_id = task id; `pixfleet submit` keeps a ledger of what it
// published (in the result store) so that a re-run publishes nothing still queued, and the effect
// is de-duplicated by the worker (deterministic output keys, result row upserted by task id). A
// dead-lettered task is revived by publishing it again; the copy in <name>.dead stays until an
// operator purges it.
//
// A message on the work queue that is not a task (task_message.h says what is) is rejected to
// <name>.dead, with a warning in the log naming its message id and size and why it does not
// decode (printed escaped), and reported to TaskQueueOptions::observer.
//
// Depth: ready and delayed from passive queue.declare message counts (broker-wide; deliveries
// prefetched by any consumer but not yet leased are not "ready" any more); leased counts the
// leases held through THIS object only; dead from <name>.dead. The fleet-wide unacked count
// (what KEDA reads) comes from ManagementApiCounts (management_api.h).
//
// Connections and threads: librabbitmq connections are not thread-safe. The queue keeps two
// connections, each guarded by its own mutex: one publishes (confirm channel) and runs passive
// declares, the other consumes (opened on the first LeaseNext, so a publish-only submitter never
// receives deliveries). LeaseNext waits in slices (2 ms while leases are out, 50 ms when none
// are), releasing the mutex between them. An Ack that finds the consumer busy queues its
// delivery tag and returns; the thread holding the consumer sends queued acks after its slice,
// coalesced: one basic.ack with `multiple` for every tag below the lowest still leased, the
// rest one by one. StopLeasing takes the consumer's mutex between two slices of a waiting
// LeaseNext (which then finds leasing stopped and returns nullopt), cancels and reads the
// received deliveries under it, publishes their copies on the publishing connection without it,
// then takes it again to ack. An ack lost with its connection is harmless: the broker requeues the
// delivery, which runs again with no new effect. After a broker restart or network fault
// a broken connection is replaced on the next call, with exponential backoff between attempts
// (kUnavailable while backing off); the consumer's generation then changes, so outstanding
// leases become kAborted.
//
// Time follows the rule of socket_deadline.h: the deadlines of LeaseNext and Publish and the
// reconnect backoff are read from the injected Clock, and a socket wait never blocks longer in
// real time than the call's own budget, so a FakeClock that nobody advances cannot make a call
// spin. Retry delays are the broker's (message TTLs in real time).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "queue/dead_task.h"
#include "queue/rabbitmq/amqp_connection.h"
#include "queue/rabbitmq/confirm_publisher.h"
#include "queue/rabbitmq/task_message.h"
#include "queue/rabbitmq/topology.h"
#include "queue/task_queue.h"
#include "queue/task_queue_options.h"

namespace pixfleet {

struct RabbitMqOptions : TaskQueueOptions {
  // The work queue's name; the others derive from it.
  std::string queue_name = "pixfleet";
  // Unacked deliveries the broker pushes ahead: the worker's concurrency.
  int prefetch = 1;
  std::chrono::seconds heartbeat{15};
  std::chrono::milliseconds connect_timeout{5'000};
  // Bound on one Publish call (all its messages confirmed, nacks republished).
  std::chrono::milliseconds publish_timeout{30'000};
  int publish_rounds = 3;
  // Retry delay buckets: a delay is rounded up to the next bucket (capped at the last).
  std::vector<std::chrono::milliseconds> retry_delays = {
      std::chrono::seconds(1), std::chrono::seconds(5),  std::chrono::seconds(30),
      std::chrono::minutes(2), std::chrono::minutes(10), std::chrono::hours(1)};
  // Reconnect backoff: doubles from the first value up to the second.
  std::chrono::milliseconds reconnect_backoff_min{200};
  std::chrono::milliseconds reconnect_backoff_max{30'000};
};

class RabbitMqTaskQueue final : public TaskQueue {
 public:
  // Connects, declares the topology and enables confirms. `clock` must outlive the queue.
  static Result<std::unique_ptr<RabbitMqTaskQueue>> Open(std::string_view amqp_url,
                                                         RabbitMqOptions options, Clock& clock);
  RabbitMqTaskQueue(const RabbitMqTaskQueue&) = delete;
  RabbitMqTaskQueue& operator=(const RabbitMqTaskQueue&) = delete;
  ~RabbitMqTaskQueue() override;

  // TaskQueue
  Status Publish(std::span<const TaskSpec> tasks) override;
  Result<std::optional<Lease>> LeaseNext(std::chrono::milliseconds max_wait) override;
  Status Heartbeat(Lease& lease) override;
  Status Ack(const Lease& lease) override;
  Status Retry(const Lease& lease, std::chrono::milliseconds delay,
               std::string_view reason) override;
  Status Release(const Lease& lease, std::string_view reason) override;
  Status DeadLetter(const Lease& lease, std::string_view reason) override;
  Result<QueueDepth> Depth() override;
  Status StopLeasing() override;
  Status StopReceiving() override;

  // Browses up to `limit` dead-lettered tasks (basic.get, then requeued by closing the channel;
  // the order may change). reason: x-pixfleet-reason, or the delivery-limit explanation for a
  // task the broker dead-lettered; attempts: deliveries before it died, when known.
  Result<std::vector<DeadTask>> ListDead(int limit = 1000);

  // Deletes every queue of this pipeline. For tests and decommissioning.
  Status DeleteQueues();

  // Cuts the consumer connection's socket as a network fault would (the next call notices).
  void DropConsumerConnectionForTesting();
  // Cuts both connections' sockets.
  void DropConnectionsForTesting();

  const amqp::Topology& Topology() const { return topology_; }

 private:
  // A connection with the channels this queue uses on it.
  struct Link;

  RabbitMqTaskQueue(std::string url, RabbitMqOptions options, Clock& clock);

  // Replace a missing or broken connection (with backoff). Callers hold the link's mutex.
  Status EnsurePublisher();
  Status EnsureConsumer();
  Status PublishMessages(std::span<const amqp::OutgoingMessage> messages);
  // Passive-declare counts of the work, retry and dead queues. Caller holds publish_mutex_.
  Result<QueueDepth> ReadCountsLocked();
  // Checks the lease against the live consumer connection; kAborted if it was lost. Caller
  // holds consume_mutex_ (the settle variant: settle_mutex_ only, no connection check).
  Status CheckLeaseLocked(const Lease& lease, uint64_t* tag);
  Status CheckLeaseSettleLocked(const Lease& lease, uint64_t* tag) const;
  // Checks the lease and moves its delivery tag to pending_acks_. Caller holds settle_mutex_.
  Status QueueAckSettleLocked(const Lease& lease);
  // Sends pending_acks_; with end_wait, also ends the wait that let Acks queue there. Caller
  // holds consume_mutex_.
  Status FlushAcksLocked(bool end_wait);
  // Marks the consumer as waited on for its lifetime (Acks then queue); its end flushes them.
  // Constructed and destroyed under consume_mutex_.
  class WaitingOnConsumer {
   public:
    explicit WaitingOnConsumer(RabbitMqTaskQueue& queue);
    ~WaitingOnConsumer();
    // Whether any lease was out when the wait began (then acks may come: wait briefly).
    bool LeasesOut() const { return leases_out_; }
    WaitingOnConsumer(const WaitingOnConsumer&) = delete;
    WaitingOnConsumer& operator=(const WaitingOnConsumer&) = delete;

   private:
    RabbitMqTaskQueue& queue_;
    bool leases_out_ = false;
  };
  // The lease of a delivery just read from the consumer (recorded in outstanding_), or nullopt
  // when it is not a task: then it is rejected to <name>.dead and reported. Destroys the
  // envelope. Caller holds consume_mutex_.
  Result<std::optional<Lease>> AcceptDeliveryLocked(amqp_envelope_t& envelope);
  // basic.cancel, then the leases of every delivery received ahead of LeaseNext. Caller holds
  // consume_mutex_, with a usable consumer connection.
  Result<std::vector<Lease>> CancelConsumerLocked();
  // The first time: no more deliveries (receiving_stopped_), and those received ahead of
  // LeaseNext moved to received_. Caller holds consume_mutex_.
  Status StopReceivingLocked();
  // The copy that Release publishes: deliverable now, the same attempt number next time.
  amqp::OutgoingMessage ReleaseCopy(const Lease& lease) const;
  // basic.ack of a lease, with any acks queued by other threads. Caller holds consume_mutex_.
  Status AckLocked(const Lease& lease);
  int64_t LeasedCount();
  Status Settle(const Lease& lease, amqp::OutgoingMessage copy);
  // Logs a message that is not a task and tells the observer.
  void ReportMalformed(const amqp::Delivery& delivery) const;

  const std::string url_;
  const RabbitMqOptions options_;
  const amqp::Topology topology_;
  Clock& clock_;

  std::mutex publish_mutex_;  // guards publisher_
  std::unique_ptr<Link> publisher_;

  std::mutex consume_mutex_;  // guards consumer_ (the connection's I/O) and the four below
  std::unique_ptr<Link> consumer_;
  std::string consumer_tag_;  // the broker's name for the consumer, for basic.cancel
  // StopReceiving or StopLeasing was called: no consumer any more.
  bool receiving_stopped_ = false;
  // Leases of the deliveries received before the consumer ended, not yet returned by LeaseNext
  // (StopLeasing hands them back).
  std::deque<Lease> received_;

  // Taken after consume_mutex_ when both are held; Ack takes it alone when another thread
  // holds the consumer.
  mutable std::mutex settle_mutex_;     // guards the three below
  uint64_t generation_ = 0;             // bumped on every new consumer connection
  std::set<uint64_t> outstanding_;      // delivery tags leased on the current generation
  std::vector<uint64_t> pending_acks_;  // settled by the worker, basic.ack not sent yet
  bool waiting_ = false;                // a LeaseNext waits on the socket: Acks queue
};

}  // namespace pixfleet
