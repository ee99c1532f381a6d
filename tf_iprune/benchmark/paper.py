"""The iPrune paper's published figures, to print beside ours.

Source: C.-C. Lin, C.-Y. Liu, C.-H. Yen, T.-W. Kuo, P.-C. Hsiu,
"Intermittent-Aware Neural Network Pruning": Table III (models
pruned by ePrune and iPrune, their unpruned originals) and Section IV-C
(Fig. 5's speed-ups). Their data: CIFAR-10 (SQN), UCI HAR (HAR), Google
Speech Commands (CKS); their device: an MSP430FR5994 board.
"""

# Table III: accuracy, model size (KB), MACs (K), accelerator outputs (K).
TABLE_III = {
    "sqn": {
        "unpruned": (0.763, 147, 4442, 1483),
        "energy": (0.755, 56, 1617, 561),
        "intermittent": (0.755, 55, 1560, 518),
    },
    "har_cnn": {
        "unpruned": (0.925, 28, 321, 77),
        "energy": (0.927, 14, 183, 56),
        "intermittent": (0.927, 9, 108, 44),
    },
    "cks_cnn": {
        "unpruned": (0.875, 131, 2811, 1582),
        "energy": (0.876, 75, 1047, 987),
        "intermittent": (0.877, 67, 1149, 509),
    },
}

# Section IV: iPrune's intermittent-inference speed-up (Fig. 5) and its
# accelerator outputs relative to ePrune (Table III).
SPEEDUP_OVER_ENERGY = (1.1, 2.0)
SPEEDUP_OVER_UNPRUNED = (1.7, 2.9)
FEWER_OUTPUTS_THAN_ENERGY_MEAN = 0.26
FEWER_OUTPUTS_THAN_ENERGY_MAX = 0.48
