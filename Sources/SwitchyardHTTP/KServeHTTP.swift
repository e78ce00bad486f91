/// The KServe v2 / Open Inference Protocol HTTP frontend (Hummingbird 2).
public enum KServeHTTP {}
