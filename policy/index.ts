import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("mesos-cluster", {
    policies: [...stackPolicies, ...resourcePolicies],
});
