"""Inputs for the benchmark: a thick Multus install plus N Deployments, as a ResourceList or a stream.

The Multus part has the shape of the upstream thick manifest (CRD, RBAC, ServiceAccount, daemon
ConfigMap, DaemonSet with the volumes, init container and resources the transforms change), written
here so that the benchmark needs nothing outside the repository. The Deployments stand for the rest
of a cluster: one in a hundred asks for a secondary network by the
`k8s.v1.cni.cncf.io/networks` annotation, naming a NetworkAttachmentDefinition that is among the items.
"""

from __future__ import annotations

from pathlib import Path

NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
RESOURCE_LIST_HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
NAMESPACES = 20

MULTUS_INSTALL = (
    """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: network-attachment-definitions.k8s.cni.cncf.io
spec:
  group: k8s.cni.cncf.io
  scope: Namespaced
  names:
    kind: NetworkAttachmentDefinition
    plural: network-attachment-definitions
    singular: network-attachment-definition
    shortNames:
      - net-attach-def
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: A network that pods can attach to besides the cluster network.
          type: object
          properties:
            apiVersion:
              description: The versioned schema of this object.
              type: string
            kind:
              description: The REST resource this object represents.
              type: string
            metadata:
              type: object
            spec:
              description: What the network is.
              type: object
              properties:
                config:
                  description: The CNI configuration of the network, as JSON.
                  type: string
""",
    """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: multus
rules:
  - apiGroups: ["k8s.cni.cncf.io"]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["pods", "pods/status"]
    verbs: ["get", "list", "update", "watch"]
  - apiGroups: ["", "events.k8s.io"]
    resources: ["events"]
    verbs: ["create", "patch", "update"]
""",
    """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: multus
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: multus
subjects:
  - kind: ServiceAccount
    name: multus
    namespace: kube-system
""",
    """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: multus
  namespace: kube-system
""",
    """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: multus-daemon-config
  namespace: kube-system
  labels:
    app: multus
    tier: node
data:
  daemon-config.json: |
    {
      "cniVersion": "0.3.1",
      "chrootDir": "/hostroot",
      "cniConfigDir": "/host/etc/cni/net.d",
      "multusAutoconfigDir": "/host/etc/cni/net.d",
      "multusConfigFile": "auto",
      "socketDir": "/host/run/multus/",
      "logLevel": "verbose",
      "logToStderr": true
    }
""",
    """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-multus-ds
  namespace: kube-system
  labels:
    app: multus
    name: multus
    tier: node
spec:
  selector:
    matchLabels:
      name: multus
  updateStrategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        app: multus
        name: multus
        tier: node
    spec:
      hostNetwork: true
      hostPID: true
      serviceAccountName: multus
      terminationGracePeriodSeconds: 10
      tolerations:
        - operator: Exists
          effect: NoSchedule
        - operator: Exists
          effect: NoExecute
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick
          command: ["/usr/src/multus-cni/bin/multus-daemon"]
          env:
            - name: MULTUS_NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          resources:
            requests:
              cpu: "100m"
              memory: "50Mi"
            limits:
              cpu: "100m"
              memory: "50Mi"
          securityContext:
            privileged: true
          terminationMessagePolicy: FallbackToLogsOnError
          volumeMounts:
            # the shim is called by the runtime on the host: same bin path inside and outside
            - name: cnibin
              mountPath: /opt/cni/bin
            - name: cni
              mountPath: /host/etc/cni/net.d
            - name: host-run
              mountPath: /host/run
            - name: host-var-lib-cni-multus
              mountPath: /var/lib/cni/multus
            - name: host-var-lib-kubelet
              mountPath: /var/lib/kubelet
              mountPropagation: HostToContainer
            - name: host-run-k8s-cni-cncf-io
              mountPath: /run/k8s.cni.cncf.io
            - name: host-run-netns
              mountPath: /run/netns
              mountPropagation: HostToContainer
            - name: multus-daemon-config
              mountPath: /etc/cni/net.d/multus.d
              readOnly: true
            - name: hostroot
              mountPath: /hostroot
              mountPropagation: HostToContainer
            - name: multus-conf-dir
              mountPath: /etc/cni/multus/net.d
      initContainers:
        - name: install-multus-binary
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick
          command:
            - "sh"
            - "-c"
            - >-
              cp /usr/src/multus-cni/bin/multus-shim /host/opt/cni/bin/multus-shim &&
              cp /usr/src/multus-cni/bin/passthru /host/opt/cni/bin/passthru
          resources:
            requests:
              cpu: "10m"
              memory: "15Mi"
          securityContext:
            privileged: true
          terminationMessagePolicy: FallbackToLogsOnError
          volumeMounts:
            - name: cnibin
              mountPath: /host/opt/cni/bin
              mountPropagation: Bidirectional
      volumes:
        - name: cni
          hostPath:
            path: /etc/cni/net.d
        - name: cnibin
          hostPath:
            path: /opt/cni/bin
        - name: hostroot
          hostPath:
            path: /
        - name: multus-daemon-config
          configMap:
            name: multus-daemon-config
            items:
              - key: daemon-config.json
                path: daemon-config.json
        - name: host-run
          hostPath:
            path: /run
        - name: host-var-lib-cni-multus
          hostPath:
            path: /var/lib/cni/multus
        - name: host-var-lib-kubelet
          hostPath:
            path: /var/lib/kubelet
        - name: host-run-k8s-cni-cncf-io
          hostPath:
            path: /run/k8s.cni.cncf.io
        - name: host-run-netns
          hostPath:
            path: /run/netns/
        - name: multus-conf-dir
          hostPath:
            path: /etc/cni/multus/net.d
""",
)

# Strategic merge patches that make the same changes as the transforms with their defaults, for
# `kubectl kustomize` (containers and volumes merge by name).
KUSTOMIZE_PATCH = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-multus-ds
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          resources:
            requests:
              cpu: 200m
              memory: 100Mi
            limits:
              cpu: 300m
              memory: 150Mi
      initContainers:
        - name: install-multus-binary
          command:
            - /usr/src/multus-cni/bin/install_multus
            - -d
            - /host/opt/cni/bin
            - -t
            - thick
      volumes:
        - name: host-run-netns
          hostPath:
            path: /var/run/netns/
"""


def _namespace(index: int) -> str:
    return f"team-{index % NAMESPACES:02d}"


def network_attachment(index: int) -> str:
    """A macvlan network in the namespace of the Deployments that use it, with whereabouts IPAM (one
    cluster-wide pool, as a network whose pods run on several nodes needs: no finding expected)."""
    subnet = f"10.{index // 256 % 256}.{index % 256}.0/24"
    return f"""\
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: macvlan-{index:05d}
  namespace: {_namespace(index)}
spec:
  config: '{{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1", "mode": "bridge",
    "ipam": {{"type": "whereabouts", "range": "{subnet}"}}}}'
"""


def deployment(index: int, network: str | None = None) -> str:
    """An ordinary web Deployment; `network` names the NAD its pods attach to."""
    name = f"app-{index:05d}"
    annotations = f"      annotations:\n        {NETWORKS_ANNOTATION}: {network}\n" if network else ""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {_namespace(index)}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
{annotations}    spec:
      serviceAccountName: {name}
      containers:
        - name: app
          image: registry.example.com/shop/{name}:1.{index % 7}.{index % 11}
          args: ["--listen=:8080", "--log-format=json"]
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: CACHE_SIZE
              value: "256"
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
"""


def resources(count: int) -> list[str]:
    """The Multus install, then `count` Deployments and the NADs that every hundredth one names."""
    documents = list(MULTUS_INSTALL)
    for index in range(count):
        network = None
        if index % 100 == 0:
            documents.append(network_attachment(index))
            network = f"macvlan-{index:05d}"
        documents.append(deployment(index, network))
    return documents


def as_stream(documents: list[str]) -> str:
    return "---\n".join(documents)


def as_resource_list(documents: list[str]) -> str:
    """A ResourceList as kpt and kustomize send it: items at column 0, each with its file annotations."""
    entries = []
    for index, document in enumerate(documents):
        annotated = _with_file_annotations(document, f"resources-{index // 1000:02d}.yaml", index % 1000)
        lines = annotated.rstrip("\n").split("\n")
        entries.append("- " + "\n  ".join(lines) + "\n")
    return RESOURCE_LIST_HEADER + "".join(entries)


def _with_file_annotations(document: str, path: str, index: int) -> str:
    head, found, rest = document.partition("\nmetadata:\n")
    annotations = (
        f"  annotations:\n    config.kubernetes.io/index: '{index}'\n    internal.config.kubernetes.io/path: '{path}'\n"
    )
    return head + found + annotations + rest if found else document


def write_kustomization(folder: Path, stream: str) -> None:
    """A kustomization over the same resources with patches equivalent to the default transforms."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "resources.yaml").write_text(stream)
    (folder / "multus-patch.yaml").write_text(KUSTOMIZE_PATCH)
    (folder / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - resources.yaml\n"
        "patches:\n  - path: multus-patch.yaml\n"
    )
