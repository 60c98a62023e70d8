#!/usr/bin/env python3
# make_keras_models.py - builds the Keras 3 model fixtures that `strider summary` (whole-model
# analysis) is tested against, and records Keras's own shapes and parameter counts for them.
#
# Rerun from the repository root (tensorflow-cpu 2.20 / keras 3.15, see
# tests/conformance/requirements.txt); the output is deterministic, so a rerun with the same
# versions rewrites identical files:
#   .venv/bin/python tests/analysis/make_keras_models.py
#   .venv/bin/python tests/analysis/make_keras_models.py --out /tmp/km   # somewhere else
#
# Writes, under tests/analysis/keras_models/:
#   <name>.json           model.to_json(), pretty-printed (indent 1)
#   <name>.expected.json  Keras's numbers: model input/output shapes, total / trainable /
#                         non-trainable parameters, and per entry of model.layers (in that order;
#                         a Sequential model's InputLayer is not in model.layers) the name,
#                         class_name, output_shape (without the batch axis), params,
#                         trainable_params, non_trainable_params
#   applications/<app>.expected.json   the same numbers for four keras.applications models
#                         (weights=None, include_top=True, default input sizes), and
#   applications/<app>.json.gz         their architecture JSON when it gzips below 60 KB
#   unsafe/<name>.json    models a reader must refuse (Lambda, custom registered layer, a layer
#                         claiming a non-keras module); unsafe/manifest.json says why for each
# The notes for the C++ reader that describe this format live outside the repository.
#
# Every model and layer gets an explicit name, so nothing depends on Keras's global name counters;
# the applications models are built after keras.backend.clear_session() for the same reason.
# Each small model is also run once on zeros to check that its real output shapes match the
# symbolic ones recorded here.

import argparse
import gzip
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

APP_GZ_LIMIT = 60 * 1024


def shape_wo_batch(shape):
    return [None if d is None else int(d) for d in tuple(shape)[1:]]


def count(weights):
    return int(sum(int(np.prod(w.shape)) for w in weights))


def layer_record(layer):
    nodes = getattr(layer, "_inbound_nodes", [])
    rec = {
        "name": layer.name,
        "class_name": layer.__class__.__name__,
        "output_shape": shape_wo_batch(layer.output.shape),
        "params": int(layer.count_params()),
        "trainable_params": count(layer.trainable_weights),
        "non_trainable_params": count(layer.non_trainable_weights),
    }
    if len(nodes) > 1:
        # A shared layer: one output shape per call (node), in node order.
        rec["node_output_shapes"] = [
            shape_wo_batch(t.shape) for n in nodes for t in n.output_tensors
        ]
    if rec["params"] != rec["trainable_params"] + rec["non_trainable_params"]:
        raise AssertionError(f"param split does not add up for {layer.name}")
    return rec


def expected_record(model):
    ins = [shape_wo_batch(t.shape) for t in model.inputs]
    outs = [shape_wo_batch(t.shape) for t in model.outputs]
    rec = {
        "keras_version": keras.__version__,
        "model_name": model.name,
        "model_class": model.__class__.__name__,
        "input_shape": ins[0],
        "input_shapes": ins,
        "output_shapes": outs,
        "total_params": int(model.count_params()),
        "trainable_params": count(model.trainable_weights),
        "non_trainable_params": count(model.non_trainable_weights),
        "layers": [layer_record(layer) for layer in model.layers],
    }
    if rec["total_params"] != sum(r["params"] for r in rec["layers"]):
        raise AssertionError(f"layer params do not add up to the total for {model.name}")
    return rec


def run_on_zeros(model):
    """Runs the model once and checks the real output shapes against the symbolic ones."""
    xs = [np.zeros((1, *shape_wo_batch(t.shape)), np.float32) for t in model.inputs]
    ys = model(xs if len(xs) > 1 else xs[0], training=False)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    for y, t in zip(ys, model.outputs):
        if tuple(y.shape)[1:] != tuple(t.shape)[1:]:
            raise AssertionError(f"{model.name}: ran to {y.shape}, symbolic {t.shape}")


# --------------------------------------------------------------------------------------------
# Sequential models


def tutorial_conv_10x10x3():
    return keras.Sequential(
        [keras.Input((10, 10, 3), name="image"), L.Conv2D(32, 3, strides=2, name="conv")],
        name="tutorial_conv_10x10x3",
    )


def fashion_mnist_cnn():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1), name="image"),
            L.Conv2D(32, 3, activation="relu", name="conv1"),
            L.MaxPooling2D(2, name="pool1"),
            L.Conv2D(64, 3, activation="relu", name="conv2"),
            L.MaxPooling2D(2, name="pool2"),
            L.Flatten(name="flatten"),
            L.Dropout(0.5, name="dropout"),
            L.Dense(128, activation="relu", name="fc1"),
            L.Dense(10, activation="softmax", name="logits"),
        ],
        name="fashion_mnist_cnn",
    )


def seq_strides_same_odd():
    # same padding on odd sizes: out = ceil(in / stride), padding split with the extra at the end.
    return keras.Sequential(
        [
            keras.Input((15, 15, 3), name="image"),
            L.Conv2D(8, 3, strides=2, padding="same", name="s2_k3"),
            L.Conv2D(8, 3, strides=3, padding="same", name="s3_k3"),
            L.Conv2D(8, 4, strides=2, padding="same", name="s2_k4"),
            L.Conv2D(4, 1, strides=1, padding="same", name="s1_k1"),
        ],
        name="seq_strides_same_odd",
    )


def seq_strides_valid_even():
    return keras.Sequential(
        [
            keras.Input((32, 32, 3), name="image"),
            L.Conv2D(8, 3, strides=2, padding="valid", name="s2_k3"),
            L.Conv2D(8, 2, strides=3, padding="valid", name="s3_k2"),
            L.Conv2D(8, 2, strides=2, padding="same", name="s2_k2_same_even"),
            L.Flatten(name="flatten"),
            L.Dense(5, name="head"),
        ],
        name="seq_strides_valid_even",
    )


def seq_unequal_strides():
    return keras.Sequential(
        [
            keras.Input((17, 12, 2), name="image"),
            L.Conv2D(4, (3, 2), strides=(2, 1), padding="same", name="conv_s21_same"),
            L.Conv2D(6, (1, 3), strides=(1, 2), padding="valid", name="conv_s12_valid"),
            L.MaxPooling2D(pool_size=(3, 2), strides=(2, 1), name="maxpool_32_s21"),
            L.AveragePooling2D(
                pool_size=(2, 2), strides=(1, 2), padding="same", name="avgpool_s12",
            ),
            L.Conv2D(3, (2, 3), strides=(3, 1), padding="same", name="conv_s31_same"),
        ],
        name="seq_unequal_strides",
    )


def seq_dilated():
    return keras.Sequential(
        [
            keras.Input((21, 20, 3), name="image"),
            L.Conv2D(8, 3, dilation_rate=2, padding="valid", name="d2_valid"),
            L.Conv2D(8, 3, dilation_rate=(2, 3), padding="same", name="d23_same"),
            L.Conv2D(8, (2, 3), dilation_rate=4, padding="same", name="d4_k23_same"),
            L.Conv2D(
                4, 3, dilation_rate=(1, 2), padding="valid", use_bias=False, name="d12_nobias",
            ),
        ],
        name="seq_dilated",
    )


def seq_grouped_conv():
    return keras.Sequential(
        [
            keras.Input((16, 16, 8), name="image"),
            L.Conv2D(8, 3, groups=2, padding="same", name="g2"),
            L.Conv2D(
                16, 3, groups=4, strides=2, padding="same", use_bias=False, name="g4_s2_nobias",
            ),
            L.Conv2D(16, 1, groups=8, name="g8_pointwise"),
            L.Conv2D(16, 3, groups=16, strides=(2, 1), padding="valid", name="g16_depthwise_like"),
        ],
        name="seq_grouped_conv",
    )


def seq_depthwise():
    return keras.Sequential(
        [
            keras.Input((19, 18, 4), name="image"),
            L.DepthwiseConv2D(3, padding="same", name="dw_m1"),
            L.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same", name="dw_m2_s2"),
            L.DepthwiseConv2D(
                (3, 2), depth_multiplier=3, strides=3, use_bias=False, name="dw_m3_s3_nobias",
            ),
            L.DepthwiseConv2D(3, dilation_rate=2, padding="same", name="dw_d2"),
        ],
        name="seq_depthwise",
    )


def seq_separable():
    return keras.Sequential(
        [
            keras.Input((24, 23, 3), name="image"),
            L.SeparableConv2D(8, 3, padding="same", name="sep_m1"),
            L.SeparableConv2D(
                16, 3, depth_multiplier=2, strides=2, padding="same", name="sep_m2_s2",
            ),
            L.SeparableConv2D(16, 3, strides=3, use_bias=False, name="sep_s3_nobias"),
            L.SeparableConv2D(8, (3, 2), dilation_rate=2, padding="same", name="sep_d2"),
            L.GlobalAveragePooling2D(name="gap"),
        ],
        name="seq_separable",
    )


def seq_transpose():
    return keras.Sequential(
        [
            keras.Input((7, 6, 4), name="image"),
            L.Conv2DTranspose(8, 3, strides=2, padding="same", name="t_s2_same"),
            L.Conv2DTranspose(8, 3, strides=2, padding="valid", name="t_s2_valid"),
            L.Conv2DTranspose(
                4, 3, strides=2, padding="same", output_padding=(0, 1), name="t_s2_same_op01",
            ),
            L.Conv2DTranspose(
                4, (4, 3), strides=(3, 2), padding="valid", output_padding=(2, 1), use_bias=False,
                name="t_s32_valid_op21_nobias",
            ),
            L.Conv2DTranspose(2, 2, strides=1, padding="same", name="t_s1_k2_same"),
        ],
        name="seq_transpose",
    )


def seq_pooling():
    return keras.Sequential(
        [
            keras.Input((47, 46, 3), name="image"),
            L.MaxPooling2D(name="max_default"),
            L.MaxPooling2D(pool_size=3, strides=2, padding="same", name="max_k3_s2_same"),
            L.AveragePooling2D(pool_size=2, padding="same", name="avg_k2_same"),
            L.AveragePooling2D(
                pool_size=(2, 3), strides=(1, 2), padding="valid", name="avg_k23_s12",
            ),
            L.MaxPooling2D(pool_size=2, strides=1, name="max_k2_s1"),
            L.GlobalMaxPooling2D(name="gmp"),
        ],
        name="seq_pooling",
    )


def seq_padding_cropping():
    return keras.Sequential(
        [
            keras.Input((9, 8, 2), name="image"),
            L.ZeroPadding2D(1, name="zp_int"),
            L.ZeroPadding2D((1, 2), name="zp_tuple"),
            L.ZeroPadding2D(((0, 1), (2, 3)), name="zp_tuple_of_tuples"),
            L.Cropping2D(1, name="crop_int"),
            L.Cropping2D((1, 0), name="crop_tuple"),
            L.Cropping2D(((1, 2), (0, 1)), name="crop_tuple_of_tuples"),
            L.UpSampling2D(name="up_default"),
            L.UpSampling2D((2, 3), interpolation="bilinear", name="up_23_bilinear"),
            L.Conv2D(2, 3, strides=3, name="conv"),
        ],
        name="seq_padding_cropping",
    )


def seq_batchnorm_activations():
    return keras.Sequential(
        [
            keras.Input((12, 12, 3), name="image"),
            L.Conv2D(8, 3, use_bias=False, name="conv1"),
            L.BatchNormalization(name="bn_default"),
            L.Activation("relu", name="act_relu"),
            L.Conv2D(8, 3, name="conv2"),
            L.BatchNormalization(center=False, scale=False, name="bn_no_center_no_scale"),
            L.ReLU(max_value=6.0, name="relu6"),
            L.Conv2D(8, 1, name="conv3"),
            L.BatchNormalization(scale=False, name="bn_no_scale"),
            L.Activation("tanh", name="act_tanh"),
            L.BatchNormalization(center=False, momentum=0.9, epsilon=1e-5, name="bn_no_center"),
            L.ReLU(negative_slope=0.1, name="leaky_relu"),
            L.Activation("sigmoid", name="act_sigmoid"),
            L.GlobalAveragePooling2D(name="gap"),
            L.Dense(4, name="fc"),
            L.Activation("softmax", name="act_softmax"),
        ],
        name="seq_batchnorm_activations",
    )


def seq_conv1d():
    return keras.Sequential(
        [
            keras.Input((50, 4), name="signal"),
            L.Conv1D(8, 5, padding="causal", dilation_rate=2, name="causal_d2"),
            L.Conv1D(8, 3, strides=2, padding="same", name="s2_same"),
            L.MaxPooling1D(2, name="maxpool1d"),
            L.Conv1D(6, 4, strides=3, padding="valid", use_bias=False, name="s3_valid_nobias"),
            L.AveragePooling1D(pool_size=3, strides=2, padding="same", name="avgpool1d_same"),
            L.Flatten(name="flatten"),
            L.Dense(3, activation="softmax", name="head"),
        ],
        name="seq_conv1d",
    )


def seq_conv1d_tcn():
    return keras.Sequential(
        [
            keras.Input((33, 2), name="signal"),
            L.Conv1D(4, 2, padding="causal", dilation_rate=1, activation="relu", name="tcn_d1"),
            L.Conv1D(4, 2, padding="causal", dilation_rate=2, activation="relu", name="tcn_d2"),
            L.Conv1D(4, 2, padding="causal", dilation_rate=4, activation="relu", name="tcn_d4"),
            L.Conv1D(4, 3, padding="causal", strides=2, name="tcn_k3_s2"),
            L.MaxPooling1D(pool_size=3, strides=2, padding="same", name="maxpool1d_same"),
            L.AveragePooling1D(pool_size=2, name="avgpool1d"),
            L.Conv1D(2, 1, groups=2, name="grouped_pointwise"),
        ],
        name="seq_conv1d_tcn",
    )


def seq_frozen_and_dense4d():
    # Frozen layers (trainable=False) turn all their weights non-trainable; Dense on a rank-4
    # input acts on the last axis only.
    frozen_conv = L.Conv2D(8, 3, padding="same", name="frozen_conv")
    frozen_conv.trainable = False
    frozen_bn = L.BatchNormalization(name="frozen_bn")
    frozen_bn.trainable = False
    return keras.Sequential(
        [
            keras.Input((8, 8, 3), name="image"),
            frozen_conv,
            frozen_bn,
            L.Dense(5, name="dense_on_4d"),
            L.Conv2D(4, 2, strides=2, name="conv"),
            L.Flatten(name="flatten"),
            L.Dense(2, use_bias=False, name="head_nobias"),
        ],
        name="seq_frozen_and_dense4d",
    )


def seq_vgg_mini():
    return keras.Sequential(
        [
            keras.layers.InputLayer(shape=(32, 32, 3), name="image"),
            L.Conv2D(16, 3, padding="same", activation="relu", name="block1_conv1"),
            L.Conv2D(16, 3, padding="same", activation="relu", name="block1_conv2"),
            L.MaxPooling2D(2, strides=2, name="block1_pool"),
            L.Conv2D(32, 3, padding="same", activation="relu", name="block2_conv1"),
            L.Conv2D(32, 3, padding="same", activation="relu", name="block2_conv2"),
            L.MaxPooling2D(2, strides=2, name="block2_pool"),
            L.Flatten(name="flatten"),
            L.Dense(64, activation="relu", name="fc1"),
            L.Dropout(0.3, name="drop"),
            L.Dense(10, activation="softmax", name="predictions"),
        ],
        name="seq_vgg_mini",
    )


# --------------------------------------------------------------------------------------------
# Functional models


def fn_resnet_mini():
    inp = keras.Input((32, 32, 3), name="image")
    x = L.ZeroPadding2D(3, name="stem_pad")(inp)
    x = L.Conv2D(16, 7, strides=2, name="stem_conv")(x)
    x = L.BatchNormalization(name="stem_bn")(x)
    x = L.Activation("relu", name="stem_relu")(x)
    x = L.ZeroPadding2D(1, name="pool_pad")(x)
    x = L.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    # identity block
    y = L.Conv2D(16, 3, padding="same", use_bias=False, name="b1_conv1")(x)
    y = L.BatchNormalization(name="b1_bn1")(y)
    y = L.ReLU(name="b1_relu1")(y)
    y = L.Conv2D(16, 3, padding="same", use_bias=False, name="b1_conv2")(y)
    y = L.BatchNormalization(name="b1_bn2")(y)
    x = L.Add(name="b1_add")([x, y])
    x = L.Activation("relu", name="b1_out")(x)
    # projection block with stride 2
    y = L.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="b2_conv1")(x)
    y = L.BatchNormalization(name="b2_bn1")(y)
    y = L.ReLU(name="b2_relu1")(y)
    y = L.Conv2D(32, 3, padding="same", use_bias=False, name="b2_conv2")(y)
    y = L.BatchNormalization(name="b2_bn2")(y)
    s = L.Conv2D(32, 1, strides=2, name="b2_shortcut")(x)
    s = L.BatchNormalization(name="b2_shortcut_bn")(s)
    x = L.Add(name="b2_add")([s, y])
    x = L.Activation("relu", name="b2_out")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inp, out, name="fn_resnet_mini")


def fn_inception_mini():
    inp = keras.Input((29, 29, 3), name="image")
    x = L.Conv2D(16, 3, strides=2, name="stem")(inp)  # 14x14
    b1 = L.Conv2D(8, 1, padding="same", activation="relu", name="mixed0_1x1")(x)
    b2 = L.Conv2D(6, 1, padding="same", activation="relu", name="mixed0_3x3_reduce")(x)
    b2 = L.Conv2D(8, 3, padding="same", activation="relu", name="mixed0_3x3")(b2)
    b3 = L.Conv2D(4, 1, padding="same", activation="relu", name="mixed0_5x5_reduce")(x)
    b3 = L.Conv2D(8, 5, padding="same", activation="relu", name="mixed0_5x5")(b3)
    b4 = L.MaxPooling2D(3, strides=1, padding="same", name="mixed0_pool")(x)
    b4 = L.Conv2D(4, 1, padding="same", activation="relu", name="mixed0_pool_proj")(b4)
    x = L.Concatenate(axis=-1, name="mixed0")([b1, b2, b3, b4])
    # reduction block: valid stride-2 branches on an even size must agree on the output size
    r1 = L.Conv2D(12, 3, strides=2, padding="valid", name="mixed1_3x3_s2")(x)
    r2 = L.Conv2D(8, 1, name="mixed1_dbl_reduce")(x)
    r2 = L.Conv2D(8, 3, padding="same", name="mixed1_dbl_3x3a")(r2)
    r2 = L.Conv2D(8, 3, strides=2, padding="valid", name="mixed1_dbl_3x3b_s2")(r2)
    r3 = L.MaxPooling2D(3, strides=2, name="mixed1_pool_s2")(x)
    x = L.Concatenate(axis=3, name="mixed1")([r1, r2, r3])
    # asymmetric factorised convolutions (1x7 then 7x1)
    a1 = L.Conv2D(8, (1, 7), padding="same", name="mixed2_1x7")(x)
    a1 = L.Conv2D(8, (7, 1), padding="same", name="mixed2_7x1")(a1)
    a2 = L.AveragePooling2D(3, strides=1, padding="same", name="mixed2_avgpool")(x)
    a2 = L.Conv2D(8, 1, name="mixed2_avg_proj")(a2)
    x = L.Concatenate(name="mixed2")([a1, a2])
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(5, activation="softmax", name="predictions")(x)
    return keras.Model(inp, out, name="fn_inception_mini")


def fn_multi_receptive_field():
    inp = keras.Input((33, 32, 3), name="image")
    a = L.Conv2D(8, 3, padding="same", name="rf3_conv3")(inp)
    b = L.Conv2D(8, 5, padding="same", dilation_rate=2, name="rf9_conv5_d2")(inp)
    c = L.Conv2D(8, 3, padding="same", name="rf5_conv3a")(inp)
    c = L.Conv2D(8, 3, padding="same", name="rf5_conv3b")(c)
    d = L.SeparableConv2D(8, 7, padding="same", name="rf7_sep7")(inp)
    e = L.AveragePooling2D(5, strides=1, padding="same", name="rf5_avg")(inp)
    e = L.Conv2D(8, 1, name="rf5_avg_proj")(e)
    x = L.Concatenate(name="concat_rf")([a, b, c, d])
    x = L.Conv2D(8, 1, name="fuse")(x)
    x = L.Add(name="add_pool_branch")([x, e])
    x = L.Conv2D(16, 3, strides=2, padding="same", name="down_s2_same_odd")(x)
    x = L.Conv2D(16, 3, strides=2, name="down_s2_valid")(x)
    x = L.GlobalMaxPooling2D(name="gmp")(x)
    out = L.Dense(3, name="head")(x)
    return keras.Model(inp, out, name="fn_multi_receptive_field")


def fn_unet_mini():
    inp = keras.Input((20, 20, 1), name="image")
    e1 = L.Conv2D(8, 3, padding="same", activation="relu", name="enc1")(inp)  # 20
    p1 = L.MaxPooling2D(2, name="pool1")(e1)  # 10
    e2 = L.Conv2D(16, 3, padding="same", activation="relu", name="enc2")(p1)
    p2 = L.MaxPooling2D(2, name="pool2")(e2)  # 5
    bott = L.Conv2D(32, 3, padding="same", activation="relu", name="bottleneck")(p2)
    u2 = L.Conv2DTranspose(16, 2, strides=2, name="up2_transpose")(bott)  # 10
    m2 = L.Concatenate(name="skip2")([u2, e2])
    d2 = L.Conv2D(16, 3, padding="same", activation="relu", name="dec2")(m2)
    u1 = L.UpSampling2D(2, name="up1_nearest")(d2)  # 20
    m1 = L.Concatenate(name="skip1")([u1, e1])
    d1 = L.Conv2D(8, 3, activation="relu", name="dec1_valid")(m1)  # 18
    d1 = L.ZeroPadding2D(1, name="dec1_pad")(d1)  # 20
    c = L.Cropping2D(((1, 1), (2, 2)), name="crop")(d1)  # 18x16
    out = L.Conv2D(2, 1, activation="softmax", name="mask")(c)
    return keras.Model(inp, out, name="fn_unet_mini")


def fn_mobilenet_mini():
    inp = keras.Input((32, 32, 3), name="image")
    x = L.ZeroPadding2D(((0, 1), (0, 1)), name="stem_pad")(inp)
    x = L.Conv2D(16, 3, strides=2, padding="valid", use_bias=False, name="stem_conv")(x)
    x = L.BatchNormalization(name="stem_bn")(x)
    x = L.ReLU(6.0, name="stem_relu6")(x)
    # inverted residual, stride 1, with Add
    y = L.Conv2D(48, 1, use_bias=False, name="ir1_expand")(x)
    y = L.BatchNormalization(name="ir1_expand_bn")(y)
    y = L.ReLU(6.0, name="ir1_expand_relu")(y)
    y = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="ir1_depthwise")(y)
    y = L.BatchNormalization(name="ir1_depthwise_bn")(y)
    y = L.ReLU(6.0, name="ir1_depthwise_relu")(y)
    y = L.Conv2D(16, 1, use_bias=False, name="ir1_project")(y)
    y = L.BatchNormalization(name="ir1_project_bn")(y)
    x = L.Add(name="ir1_add")([x, y])
    # inverted residual, stride 2 with explicit asymmetric padding
    y = L.Conv2D(64, 1, use_bias=False, name="ir2_expand")(x)
    y = L.BatchNormalization(name="ir2_expand_bn")(y)
    y = L.ReLU(6.0, name="ir2_expand_relu")(y)
    y = L.ZeroPadding2D(((0, 1), (0, 1)), name="ir2_pad")(y)
    y = L.DepthwiseConv2D(3, strides=2, padding="valid", use_bias=False, name="ir2_depthwise")(y)
    y = L.BatchNormalization(name="ir2_depthwise_bn")(y)
    y = L.ReLU(6.0, name="ir2_depthwise_relu")(y)
    y = L.Conv2D(24, 1, use_bias=False, name="ir2_project")(y)
    x = L.BatchNormalization(name="ir2_project_bn")(y)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(0.2, name="dropout")(x)
    out = L.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inp, out, name="fn_mobilenet_mini")


def fn_multi_input():
    img = keras.Input((16, 16, 3), name="rgb")
    depth = keras.Input((16, 16, 1), name="depth")
    x = L.Concatenate(name="rgbd")([img, depth])
    x = L.Conv2D(8, 3, strides=2, padding="same", name="conv_s2")(x)
    d = L.Conv2D(8, 4, strides=2, padding="same", name="depth_conv_s2")(depth)
    x = L.Add(name="fuse")([x, d])
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(4, name="head")(x)
    return keras.Model([img, depth], out, name="fn_multi_input")


def fn_multi_output():
    inp = keras.Input((24, 24, 3), name="image")
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="trunk_conv1")(inp)
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="trunk_conv2")(x)
    cls = L.GlobalAveragePooling2D(name="cls_gap")(x)
    cls = L.Dense(5, activation="softmax", name="class_out")(cls)
    seg = L.Conv2DTranspose(1, 4, strides=4, name="seg_up")(x)
    seg = L.Activation("sigmoid", name="seg_out")(seg)
    return keras.Model(inputs=inp, outputs=[cls, seg], name="fn_multi_output")


def fn_shared_siamese():
    left = keras.Input((12, 12, 3), name="left")
    right = keras.Input((12, 12, 3), name="right")
    shared_conv = L.Conv2D(8, 3, strides=2, padding="same", name="shared_conv")
    shared_pool = L.GlobalMaxPooling2D(name="shared_gmp")
    a = shared_pool(shared_conv(left))
    b = shared_pool(shared_conv(right))
    x = L.Concatenate(name="pair")([a, b])
    out = L.Dense(1, activation="sigmoid", name="same_prob")(x)
    return keras.Model([left, right], out, name="fn_shared_siamese")


def fn_add_concat_axes():
    inp = keras.Input((10, 9, 4), name="image")
    a = L.Conv2D(4, 3, padding="same", name="a")(inp)
    b = L.Conv2D(4, 1, name="b")(inp)
    c = L.Dropout(0.1, name="c_dropout")(inp)
    s = L.Add(name="add3")([a, b, c])
    t = L.Add(name="add_self")([s, s])
    h = L.Concatenate(axis=1, name="concat_height")([t, inp])  # 20x9x4
    w = L.Concatenate(axis=2, name="concat_width")([h, h])  # 20x18x4
    x = L.Conv2D(6, 3, strides=(2, 3), padding="same", name="conv_s23")(w)
    out = L.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inp, out, name="fn_add_concat_axes")


def fn_conv1d_wavenet():
    inp = keras.Input((40, 3), name="signal")
    x = L.Conv1D(8, 1, name="in_proj")(inp)
    for d in (1, 2, 4):
        y = L.Conv1D(
            8, 2, padding="causal", dilation_rate=d, activation="tanh", name=f"res_d{d}",
        )(x)
        y = L.Conv1D(8, 1, name=f"res_d{d}_1x1")(y)
        x = L.Add(name=f"res_d{d}_add")([x, y])
    x = L.MaxPooling1D(4, name="pool")(x)
    x = L.Conv1D(4, 3, strides=2, padding="same", name="s2_same")(x)
    x = L.AveragePooling1D(2, padding="same", name="avgpool")(x)
    x = L.Flatten(name="flatten")(x)
    out = L.Dense(2, activation="softmax", name="head")(x)
    return keras.Model(inp, out, name="fn_conv1d_wavenet")


def fn_stride_mix():
    inp = keras.Input((30, 31, 6), name="image")
    a = L.Conv2D(12, 3, strides=3, padding="same", groups=3, name="g3_s3_same")(inp)  # 10x11
    b = L.DepthwiseConv2D(3, strides=3, depth_multiplier=2, padding="same", name="dw_s3_same")(inp)
    x = L.Concatenate(name="cat")([a, b])  # 10x11x24
    x = L.SeparableConv2D(12, 3, strides=2, padding="same", depth_multiplier=2, name="sep_s2")(x)
    x = L.Conv2DTranspose(6, 3, strides=(2, 1), padding="same", name="tr_s21")(x)
    x = L.BatchNormalization(center=False, scale=False, name="bn_plain")(x)
    x = L.AveragePooling2D(3, strides=3, name="avg_s3")(x)
    out = L.Flatten(name="flatten")(x)
    return keras.Model(inp, out, name="fn_stride_mix")


def fn_tiny_detector():
    inp = keras.Input((64, 48, 3), name="image")
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="c1")(inp)
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="c2")(x)
    f1 = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="c3")(x)  # 8x6
    f2 = L.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="c4")(f1)  # 4x3
    up = L.UpSampling2D(2, name="f2_up")(f2)
    p1 = L.Add(name="fpn_add")([f1, up])
    p1 = L.Conv2D(6, 3, padding="same", name="p1_head")(p1)
    p2 = L.Conv2D(6, 3, padding="same", name="p2_head")(f2)
    return keras.Model(inp, [p1, p2], name="fn_tiny_detector")


MODELS = [
    tutorial_conv_10x10x3,
    fashion_mnist_cnn,
    seq_strides_same_odd,
    seq_strides_valid_even,
    seq_unequal_strides,
    seq_dilated,
    seq_grouped_conv,
    seq_depthwise,
    seq_separable,
    seq_transpose,
    seq_pooling,
    seq_padding_cropping,
    seq_batchnorm_activations,
    seq_conv1d,
    seq_conv1d_tcn,
    seq_frozen_and_dense4d,
    seq_vgg_mini,
    fn_resnet_mini,
    fn_inception_mini,
    fn_multi_receptive_field,
    fn_unet_mini,
    fn_mobilenet_mini,
    fn_multi_input,
    fn_multi_output,
    fn_shared_siamese,
    fn_add_concat_axes,
    fn_conv1d_wavenet,
    fn_stride_mix,
    fn_tiny_detector,
]

APPLICATIONS = [
    ("resnet50", lambda: keras.applications.ResNet50(weights=None)),
    ("vgg16", lambda: keras.applications.VGG16(weights=None)),
    ("mobilenet_v2", lambda: keras.applications.MobileNetV2(weights=None, alpha=1.0)),
    ("inception_v3", lambda: keras.applications.InceptionV3(weights=None)),
]


# --------------------------------------------------------------------------------------------
# Unsafe models: a reader of untrusted JSON must refuse every one of these.


@keras.saving.register_keras_serializable(package="StriderFixture", name="ScaleByTwo")
class ScaleByTwo(keras.layers.Layer):
    def call(self, x):
        return x * 2.0


class Conv2D(keras.layers.Conv2D):  # an impostor: keras's class name, another module
    pass


Conv2D.__module__ = "strider_fixture_evil.layers"


def unsafe_lambda():
    # Compiled under a fixed file name so the marshalled bytecode does not embed this script's path.
    fn = eval(compile("lambda t: t * 2.0", "<strider_fixture>", "eval"))
    inp = keras.Input((8, 8, 3), name="image")
    x = L.Conv2D(4, 3, name="conv")(inp)
    x = L.Lambda(fn, name="double")(x)
    return keras.Model(inp, x, name="unsafe_lambda")


def unsafe_custom_layer():
    return keras.Sequential(
        [
            keras.Input((8, 8, 3), name="image"),
            L.Conv2D(4, 3, name="conv"),
            ScaleByTwo(name="scale"),
        ],
        name="unsafe_custom_layer",
    )


def unsafe_foreign_module():
    inp = keras.Input((8, 8, 3), name="image")
    x = Conv2D(4, 3, name="conv")(inp)
    x = L.ReLU(name="relu")(x)
    return keras.Model(inp, x, name="unsafe_foreign_module")


UNSAFE = [
    (unsafe_lambda, "Lambda layer: config.function holds marshalled Python bytecode (base64)"),
    (unsafe_custom_layer, "custom registered layer class StriderFixture>ScaleByTwo (module null)"),
    (
        unsafe_foreign_module,
        "class_name Conv2D but module strider_fixture_evil.layers, registered_name Conv2D",
    ),
]


# --------------------------------------------------------------------------------------------


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def dump(obj):
    return json.dumps(obj, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "keras_models"))
    ap.add_argument("--skip-applications", action="store_true")
    args = ap.parse_args()

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    out = args.out
    os.makedirs(os.path.join(out, "applications"), exist_ok=True)
    os.makedirs(os.path.join(out, "unsafe"), exist_ok=True)

    names = set()
    for make in MODELS:
        keras.backend.clear_session()
        model = make()
        if model.name != make.__name__ or model.name in names:
            raise AssertionError(f"model name {model.name} must equal its builder's name")
        names.add(model.name)
        run_on_zeros(model)
        write_text(os.path.join(out, model.name + ".json"), dump(json.loads(model.to_json())))
        write_text(os.path.join(out, model.name + ".expected.json"), dump(expected_record(model)))
        print(f"{model.name}: {len(model.layers)} layers, {model.count_params()} params")

    manifest = {}
    for make, why in UNSAFE:
        keras.backend.clear_session()
        model = make()
        write_text(os.path.join(out, "unsafe", model.name + ".json"),
                   dump(json.loads(model.to_json())))
        manifest[model.name] = why
    write_text(os.path.join(out, "unsafe", "manifest.json"), dump(manifest))

    if args.skip_applications:
        return 0
    for name, make in APPLICATIONS:
        keras.backend.clear_session()
        model = make()
        write_text(os.path.join(out, "applications", name + ".expected.json"),
                   dump(expected_record(model)))
        compact = json.dumps(json.loads(model.to_json()), separators=(",", ":")).encode()
        gz = gzip.compress(compact, compresslevel=9, mtime=0)
        gz_path = os.path.join(out, "applications", name + ".json.gz")
        if len(gz) < APP_GZ_LIMIT:
            with open(gz_path, "wb") as f:
                f.write(gz)
        elif os.path.exists(gz_path):
            os.remove(gz_path)
        print(f"{name}: {len(model.layers)} layers, {model.count_params()} params, "
              f"architecture {len(gz)} bytes gzipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
