#!/usr/bin/env bash
# Run the sharded bootstrap on the current kubectl context: the volume, the data, the Indexed Job, then (once
# every index completed) the merge Job, and print its report.
#   examples/kubernetes/run.sh DATA.csv
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:?usage: run.sh DATA.csv}
kubectl apply -f "$here/shards-pvc.yaml"
# Copy the data onto the volume with a short-lived pod.
kubectl run spruce-data --image=busybox --restart=Never \
  --overrides='{"spec":{"containers":[{"name":"spruce-data","image":"busybox","command":["sleep","600"],"volumeMounts":[{"name":"s","mountPath":"/shards"}]}],"volumes":[{"name":"s","persistentVolumeClaim":{"claimName":"spruce-shards"}}]}}'
kubectl wait --for=condition=Ready pod/spruce-data --timeout=300s
kubectl cp "$data" spruce-data:/shards/data.csv
kubectl delete pod spruce-data --wait=false
kubectl apply -f "$here/boot-indexed-job.yaml"
kubectl wait --for=condition=complete job/spruce-boot --timeout=24h
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/spruce-merge --timeout=1h
kubectl logs job/spruce-merge
