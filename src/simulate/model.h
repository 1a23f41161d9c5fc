// The simulation model: one variant of autoscaling run against a fixed list of tasks, in virtual
// time (ms), by discrete events. The decisions come from the scaling library itself
// (ScaledObjectController, DecideJobs, Hpa) — nothing of KEDA is re-implemented here; this file
// simulates only what is around them:
//   * the queue as RabbitMQ holds it: ready messages (FIFO) and unacknowledged ones (delivered to
//     a worker). The worker's prefetch equals its slots (wiring/backends.cc), so a pod holds at
//     most `slots` unacked messages, all being processed. amqp triggers see ready only, http
//     ready + unacked (rabbitmq_trigger.h decides);
//   * pods: created → ready after `startup` → take tasks (round-robin over pods with a free
//     slot, oldest pod first) → on scale-down the ReplicaSet picks victims as Kubernetes does
//     (ActivePodsWithRanks: not-ready pods first, then the lower pod-deletion-cost, then the most
//     recently ready, then the newest) and sends SIGTERM: the worker stops taking tasks, finishes
//     what it holds within its grace period, and at the deadline hands the rest back to the head
//     of the queue ("interrupted"; the task restarts from scratch). Without
//     `worker --pod-deletion-cost` every pod's cost is the default 0, so busy or not plays no
//     part; with it (Variant::deletion_cost) a pod's cost is what its worker last wrote: idle
//     (−1000) when it became ready, then busy (+1000) or idle at each change, at most one write
//     per interval, the latest state winning when the interval ends (kube/deletion_cost_keeper.h;
//     the API call itself is taken as instant);
//   * ScaledJob: each Job is a pod running `pixfleet worker --max-tasks 1 --exit-when-idle`: one
//     slot, one task, then it exits (it exits at once if it finds the queue empty); Jobs are
//     never stopped;
//   * plain HPA: the same Hpa, minReplicas max(1, min), one warm pod at t = 0, no KEDA loop.
// Accounting: a pod is paid from creation to exit (start-up and grace included); busy time is
// slot-time spent on tasks divided by slots (interrupted work included: it was paid for).
// pgbouncer: every pod past start-up holds `db_connections` client connections; server
// connections are min(busy pods × db_connections, pool size) — pgbouncer in transaction mode
// needs a server connection only while a transaction runs, so this is an upper bound.
// Pure and deterministic: no clock, no I/O, no randomness (the tasks are drawn beforehand).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scaling/rabbitmq_trigger.h"
#include "scaling/scaled_job.h"
#include "scaling/scaled_object.h"
#include "simulate/tasks.h"
#include "simulate/workload.h"

namespace pixfleet::simulate {

enum class VariantKind { kScaledObject, kScaledJob, kPlainHpa };

// "ScaledObject", "ScaledJob", "HPA" (the plain HPA), for reports.
const char* VariantKindName(VariantKind kind);

struct Variant {
  std::string label;  // "as written", "value 5", "protocol http", ...
  VariantKind kind = VariantKind::kScaledObject;
  ScaledObjectSpec scaled_object;  // kScaledObject and kPlainHpa (its min, max, behavior, triggers)
  ScaledJobSpec scaled_job;        // kScaledJob
  std::vector<RabbitMqProtocol> protocols;  // resolved, one per trigger
  bool value_sweep = false;                 // one of the rows the recommendation chooses among
  // Workers keep pod-deletion-cost current, one write per this interval at most; nullopt: they
  // do not (worker --pod-deletion-cost not given).
  std::optional<Millis> deletion_cost;
  double value = 0;  // the first trigger's value, for the table
};

// One point of the time series, taken after every instant at which something happened.
struct SeriesPoint {
  Millis at{0};
  int64_t ready = 0;    // messages waiting in the queue
  int64_t unacked = 0;  // delivered, being processed
  int replicas = 0;     // what the scaler asks for (spec.replicas; running Jobs for ScaledJob)
  int pods = 0;         // pods alive, terminating ones included
  int busy = 0;         // pods holding at least one task
};

struct SimResult {
  std::string label;
  int64_t tasks = 0;
  int64_t completed = 0;
  std::optional<Millis> drain_time;  // last completion − first arrival; nullopt: not drained
  Millis end{0};                     // when the simulation stopped
  double paid_seconds = 0;           // pod-seconds from creation to exit
  double busy_seconds = 0;           // slot-seconds on tasks / slots
  int64_t interrupted = 0;           // tasks handed back at a grace deadline, to be redone
  int64_t busy_stopped = 0;          // pods sent SIGTERM while holding a task (scale-down)
  int peak_pods = 0;                 // alive pods, terminating included
  int peak_replicas = 0;
  int peak_db_clients = 0;
  int peak_db_servers = 0;
  int64_t scale_decisions = 0;  // times the replica count (or Job count) changed
  std::vector<SeriesPoint> series;
};

// Runs `variant` until every task is done and the pods are down to the floor (min replicas; 0
// for Jobs), or until `workload.horizon`.
SimResult Simulate(const Variant& variant, const std::vector<SimTask>& tasks,
                   const Workload& workload);

}  // namespace pixfleet::simulate
